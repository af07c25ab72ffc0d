/**
 * verifyArchive on damaged and hostile archives: each must fail with a message naming the problem.
 * Archives are made by createBackup on SQLite, then damaged byte-wise or rebuilt with tar-stream.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { createBackup, verifyArchive } from '../../server/src/engine';
import { connect, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { readArchive, tempDir, writeFiles, writeTar, type ArchiveEntry } from '../helpers/archive';

let db: TestDatabase;
let knex: Knex;
let work: string;
let good: string;
let goodGz: string;
let entries: ArchiveEntry[];

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  knex = connect(db);
  await knex.schema.createTable('articles', (t) => {
    t.increments('id');
    t.text('body');
  });
  await knex.batchInsert(
    'articles',
    Array.from({ length: 300 }, (_, i) => ({ body: `article ${i} `.repeat(20) })),
    100,
  );
  work = await tempDir();
  await writeFiles(path.join(work, 'uploads'), { 'photo.jpg': Buffer.alloc(5000, 3), 'doc.pdf': 'pdf' });
  const base = {
    knex,
    dialect: 'sqlite' as const,
    includeDatabase: true,
    uploadsDir: path.join(work, 'uploads'),
    projectDir: null,
    meta: { strapiVersion: null, pluginVersion: null, profile: null },
  };
  good = (await createBackup({ ...base, format: 'tar', outFile: path.join(work, 'good.tar'), tmpDir: path.join(work, 't1') })).file;
  goodGz = (await createBackup({ ...base, format: 'tar.gz', outFile: path.join(work, 'good.tar.gz'), tmpDir: path.join(work, 't2') })).file;
  entries = await readArchive(good);
});

afterAll(async () => {
  await knex?.destroy();
  await db?.drop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

/** Rebuilds the good archive with entries changed by `edit`. */
async function rebuilt(name: string, edit: (e: ArchiveEntry[]) => { name: string; data?: Buffer; type?: any; linkname?: string }[]): Promise<string> {
  const file = path.join(work, name);
  await writeTar(file, edit(entries.map((e) => ({ ...e }))));
  return file;
}

test('the untouched archives verify, tar and tar.gz', async () => {
  for (const f of [good, goodGz]) {
    const v = await verifyArchive(f);
    expect(v).toMatchObject({ ok: true, errors: [] });
    expect(v.manifest?.tables.map((t) => [t.name, t.rows])).toEqual([['articles', 300]]);
    expect(v.size).toBe(fs.statSync(f).size);
  }
  // An archive rebuilt with identical content is still fine: verify checks content, not layout.
  const same = await rebuilt('same.tar', (e) => e);
  expect((await verifyArchive(same)).errors).toEqual([]);
});

test('a truncated archive fails as truncated', async () => {
  const bytes = fs.readFileSync(good);
  for (const [name, len] of [
    ['trunc-mid.tar', Math.floor(bytes.length / 2) + 100],
    ['trunc-block.tar', 1536],
  ] as const) {
    const file = path.join(work, name);
    fs.writeFileSync(file, bytes.subarray(0, len));
    const v = await verifyArchive(file);
    expect(v.ok).toBe(false);
    expect(v.errors.join('\n')).toMatch(/truncated/);
  }
  const gz = fs.readFileSync(goodGz);
  const file = path.join(work, 'trunc.tar.gz');
  fs.writeFileSync(file, gz.subarray(0, gz.length - 200));
  const v = await verifyArchive(file);
  expect(v.ok).toBe(false);
  expect(v.errors.join('\n')).toMatch(/truncated or corrupt/);
});

test('flipped bytes inside a table entry and a file entry are named', async () => {
  const bytes = Buffer.from(fs.readFileSync(good));
  const locate = (name: string) => {
    // ustar header: name at offset 0 of a 512-byte block, data in the next blocks.
    for (let off = 0; off < bytes.length; off += 512) {
      if (bytes.subarray(off, off + name.length).toString() === name && bytes[off + name.length] === 0) return off + 512;
    }
    throw new Error(`no header for ${name}`);
  };
  const db = Buffer.from(bytes);
  const dbData = locate('db/articles.ndjson.gz');
  db[dbData + 40] ^= 0xff;
  fs.writeFileSync(path.join(work, 'tamper-db.tar'), db);
  const v1 = await verifyArchive(path.join(work, 'tamper-db.tar'));
  expect(v1.ok).toBe(false);
  expect(v1.errors).toContain('db/articles.ndjson.gz: sha256 does not match the manifest (the entry was modified or damaged)');

  const up = Buffer.from(bytes);
  up[locate('uploads/photo.jpg') + 10] ^= 0x01;
  fs.writeFileSync(path.join(work, 'tamper-file.tar'), up);
  const v2 = await verifyArchive(path.join(work, 'tamper-file.tar'));
  expect(v2.errors).toEqual(['uploads/photo.jpg: sha256 does not match the manifest (the entry was modified or damaged)']);
});

test('forRestore: a recorded sha256 vouches for the entries; without one the entries are checked, not the file', async () => {
  const tampered = await rebuilt('vouched-db.tar', (e) => {
    const t = e.find((x) => x.name === 'db/articles.ndjson.gz')!;
    t.data = Buffer.from(t.data);
    t.data[40] ^= 0xff; // the manifest still has the entry's old sha256
    return e;
  });
  const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const recorded = sha256(good);

  // The recorded sha256 no longer matches: that is the one error, the entries are not re-hashed.
  const v1 = await verifyArchive(tampered, { forRestore: true, expectedSha256: recorded });
  expect(v1.errors).toEqual([
    `archive sha256 ${sha256(tampered)} differs from the expected ${recorded} (the archive was modified or damaged since it was written)`,
  ]);
  // A file that matches its recorded sha256 is what the backup wrote: its entries are listed, not
  // re-hashed (restoreArchive re-hashes each as it loads: tests/unit/restore-refusals.test.ts).
  expect(await verifyArchive(tampered, { forRestore: true, expectedSha256: sha256(tampered) })).toMatchObject({ ok: true, errors: [] });
  // Without a recorded sha256 the entries are checked in full; the file's own hash is not computed.
  const v3 = await verifyArchive(tampered, { forRestore: true });
  expect(v3).toMatchObject({
    ok: false,
    sha256: '',
    errors: ['db/articles.ndjson.gz: sha256 does not match the manifest (the entry was modified or damaged)'],
  });
  // Paths and the listing are checked either way.
  const escaping = await rebuilt('vouched-escape.tar', (e) => [{ name: 'uploads/../evil', data: Buffer.from('x') }, ...e]);
  const v4 = await verifyArchive(escaping, { forRestore: true, expectedSha256: sha256(escaping) });
  expect(v4.errors).toEqual(['entry "uploads/../evil" escapes the archive with a ".." segment']);
});

test('a table entry whose row count differs from the manifest fails', async () => {
  const file = await rebuilt('rows.tar', (e) => {
    const t = e.find((x) => x.name === 'db/articles.ndjson.gz')!;
    const text = zlib.gunzipSync(t.data).toString().split('\n').slice(1).join('\n');
    t.data = zlib.gzipSync(Buffer.from(text));
    const m = e.find((x) => x.name === 'manifest.json')!;
    const manifest = JSON.parse(m.data.toString());
    manifest.tables[0].sha256 = createHash('sha256').update(t.data).digest('hex');
    m.data = Buffer.from(JSON.stringify(manifest));
    return e;
  });
  const v = await verifyArchive(file);
  expect(v.errors).toEqual(['db/articles.ndjson.gz: holds 299 rows, the manifest says 300']);
});

test('a table entry that inflates a thousand times over (a decompression bomb) is refused, not inflated', async () => {
  // 40 gzip members of 8 MB of zeros: ~330 KB that inflate to 320 MB. Gunzip reads every member.
  const member = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 9 });
  const bomb = Buffer.concat(Array.from({ length: 40 }, () => member));
  const file = await rebuilt('bomb.tar', (e) => {
    const t = e.find((x) => x.name === 'db/articles.ndjson.gz')!;
    t.data = bomb;
    const m = e.find((x) => x.name === 'manifest.json')!;
    const manifest = JSON.parse(m.data.toString());
    manifest.tables[0].sha256 = require('node:crypto').createHash('sha256').update(bomb).digest('hex');
    m.data = Buffer.from(JSON.stringify(manifest));
    return e;
  });
  const v = await verifyArchive(file);
  expect(v.errors).toEqual(['db/articles.ndjson.gz: inflates to more than 400 times its compressed size; refused as a possible decompression bomb']);
});

test('reports its progress in bytes read of the archive', async () => {
  const seen: [number, number][] = [];
  await verifyArchive(good, { onProgress: (read, size) => seen.push([read, size]) });
  const size = fs.statSync(good).size;
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every(([, s]) => s === size)).toBe(true);
  expect(seen.map(([read]) => read)).toEqual([...seen.map(([read]) => read)].sort((a, b) => a - b));
  expect(seen[seen.length - 1][0]).toBe(size);
});

test('an entry the manifest does not list fails', async () => {
  const file = await rebuilt('extra.tar', (e) => [...e.slice(0, -1), { name: 'uploads/extra.js', data: Buffer.from('x') }, e[e.length - 1]]);
  const v = await verifyArchive(file);
  expect(v.errors).toEqual(['entry "uploads/extra.js" is not listed in the manifest']);
});

test('a listed entry missing from the archive fails', async () => {
  const file = await rebuilt('missing.tar', (e) => e.filter((x) => x.name !== 'uploads/doc.pdf'));
  expect((await verifyArchive(file)).errors).toEqual(['uploads/doc.pdf is listed in the manifest but missing from the archive']);
});

test('path escapes and links are rejected, naming the entry', async () => {
  const cases: [string, { name: string; data?: Buffer; type?: any; linkname?: string }, RegExp][] = [
    ['dotdot.tar', { name: '../evil', data: Buffer.from('x') }, /entry "\.\.\/evil" escapes the archive/],
    ['inner-dotdot.tar', { name: 'uploads/../../evil', data: Buffer.from('x') }, /entry "uploads\/\.\.\/\.\.\/evil" escapes/],
    ['absolute.tar', { name: '/etc/passwd', data: Buffer.from('x') }, /entry "\/etc\/passwd" is an absolute path/],
    ['backslash.tar', { name: 'uploads\\..\\evil', data: Buffer.from('x') }, /contains a backslash/],
    ['symlink.tar', { name: 'uploads/link', type: 'symlink', linkname: '/etc/passwd' }, /entry "uploads\/link" is a symlink, not a regular file/],
    ['hardlink.tar', { name: 'uploads/hard', type: 'link', linkname: 'manifest.json' }, /entry "uploads\/hard" is a link, not a regular file/],
  ];
  for (const [name, bad, message] of cases) {
    const file = await rebuilt(name, (e) => [bad, ...e]);
    const v = await verifyArchive(file);
    expect({ name, ok: v.ok }).toEqual({ name, ok: false });
    expect(v.errors.join('\n')).toMatch(message);
  }
});

test('manifest missing, of another format or version, and unexpected sha256 fail', async () => {
  const noManifest = await rebuilt('nomanifest.tar', (e) => e.filter((x) => x.name !== 'manifest.json'));
  expect((await verifyArchive(noManifest)).errors.join('\n')).toMatch(/manifest\.json is missing/);

  const version = await rebuilt('version.tar', (e) => {
    const m = e.find((x) => x.name === 'manifest.json')!;
    m.data = Buffer.from(JSON.stringify({ ...JSON.parse(m.data.toString()), formatVersion: 2 }));
    return e;
  });
  expect((await verifyArchive(version)).errors).toEqual(['manifest.json: formatVersion 2 is not supported (expected 1)']);

  const format = await rebuilt('format.tar', (e) => {
    const m = e.find((x) => x.name === 'manifest.json')!;
    m.data = Buffer.from(JSON.stringify({ ...JSON.parse(m.data.toString()), format: 'other' }));
    return e;
  });
  expect((await verifyArchive(format)).errors).toEqual(['manifest.json: format is "other", expected "strapi-plugin-backup"']);

  const v = await verifyArchive(good, { expectedSha256: '0'.repeat(64) });
  expect(v.ok).toBe(false);
  expect(v.errors[0]).toMatch(/differs from the expected 0{64}/);
});

test('a missing file and a non-archive return errors instead of throwing', async () => {
  const v = await verifyArchive(path.join(work, 'nope.tar'));
  expect(v.ok).toBe(false);
  expect(v.errors[0]).toMatch(/cannot read .*nope\.tar/);
  const junk = path.join(work, 'junk.tar');
  fs.writeFileSync(junk, Buffer.alloc(2000, 0x41));
  const j = await verifyArchive(junk);
  expect(j.ok).toBe(false);
  expect(j.errors.join('\n')).toMatch(/truncated or corrupt|manifest\.json is missing/);
});
