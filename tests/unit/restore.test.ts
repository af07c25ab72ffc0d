/**
 * checkArchive + restoreArchive against real databases: a site (every value kind, keys of every
 * shape, foreign keys with a self-reference and a cycle, kept tables, uploads) is backed up,
 * changed, and restored; every table must equal the backup row for row, every upload by sha256.
 * Refused archives, failures and aborts mid-load must change nothing at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { ArchiveRefusedError, RestoreFailedError, checkArchive, createBackup, restoreArchive } from '../../server/src/engine';
import type { BackupResult, RestoreOptions, RestoreProgress } from '../../server/src/engine/types';
import { connectLikeStrapi, createTestDatabase, dialectsUnderTest, type TestDatabase } from '../helpers/databases';
import { craftArchive, setTableRows, tempDir, writeFiles, writeTar, readArchive } from '../helpers/archive';
import { KEPT_TABLES, createExtrasSchema, createRelationsSchema, createSchema } from '../helpers/schema';
import { databaseState, filesState } from '../helpers/site-state';

const dialects = dialectsUnderTest();

describe.each(dialects)('restore on %s', (dialect) => {
  let db: TestDatabase;
  let knex: Knex;
  let work: string;
  let publicDir: string;
  let uploadsDir: string;
  let backup: BackupResult;
  let before: Record<string, string>;
  let beforeFiles: Record<string, string>;
  const restored = (state: Record<string, string>) => Object.fromEntries(Object.entries(state).filter(([t]) => !KEPT_TABLES.includes(t)));

  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'restore_unit');
    knex = connectLikeStrapi(db);
    await createSchema(knex, dialect);
    await createRelationsSchema(knex);
    await createExtrasSchema(knex, dialect);
    work = await tempDir('restore-test-');
    publicDir = path.join(work, 'app', 'public');
    uploadsDir = path.join(publicDir, 'uploads');
    await writeFiles(uploadsDir, {
      'a.jpg': Buffer.from('jpeg-bytes'),
      'nested/b.bin': Buffer.alloc(200 * 1024, 7),
      'empty.txt': '',
    });
    backup = await takeBackup('site.tar', 'tar');
    before = await databaseState(knex, dialect);
    beforeFiles = await filesState(uploadsDir);
  });

  // Every test starts from the backed-up site (the last one changes the schema: force).
  afterEach(async () => {
    await restoreArchive(options({ force: true }));
  });

  afterAll(async () => {
    await knex?.destroy();
    await db?.drop();
    if (work) await fs.promises.rm(work, { recursive: true, force: true });
  });

  const takeBackup = (name: string, format: 'tar' | 'tar.gz') =>
    createBackup({
      knex, dialect, includeDatabase: true, uploadsDir, projectDir: null, format,
      outFile: path.join(work, name), tmpDir: path.join(work, `tmp-${name}`),
      meta: { strapiVersion: null, pluginVersion: null, profile: null },
    });

  const options = (over: Partial<RestoreOptions> = {}): RestoreOptions => ({
    knex, dialect, file: backup.file, manifest: backup.manifest, keepTables: KEPT_TABLES, uploadsDir, batchSize: 7, ...over,
  });

  /** Changes rows of most tables (deletes, updates, inserts; drops nothing) and the uploads. */
  async function changeSite(): Promise<void> {
    await knex('posts_items_lnk').where({ post_id: 3 }).del();
    await knex('posts').where({ id: 3 }).del();
    await knex('items').whereIn('id', [3, 4, 5]).del();
    await knex('items').insert([{ label: 'new 1' }, { label: 'new 2' }]);
    await knex('kinds').where({ id: 1 }).update({ s: 'changed', flag: false, doc: JSON.stringify({ other: 1 }) });
    await knex('authors').where({ id: 2 }).update({ name: 'Grace H.', mentor_id: 3 });
    await knex('authors').insert({ name: 'Newcomer', mentor_id: 1 });
    await knex('comments').insert({ post_id: 2, body: 'late' });
    await knex('pairs').where({ a: 1 }).del();
    await knex('nokey').insert({ x: 9, y: 'z' });
    await knex('bigkeys').where({ id: '1' }).update({ note: 'changed' });
    await knex('extras').where({ id: 2 }).del();
    await knex('extras').where({ id: 1 }).update({ id: 10 });
    await writeFiles(uploadsDir, { 'a.jpg': 'changed', 'new.txt': 'added', 'added/dir/c.txt': 'c' });
    await fs.promises.rm(path.join(uploadsDir, 'nested', 'b.bin'), { force: true });
  }

  /** Runs `attempt`, which must fail, and checks that the database and the uploads did not change. */
  async function expectNothingChanged(attempt: () => Promise<unknown>, error: RegExp | (new (...a: any[]) => Error)): Promise<void> {
    const state = await databaseState(knex, dialect);
    const files = await filesState(uploadsDir);
    await expect(attempt()).rejects.toThrow(error as any);
    expect(await databaseState(knex, dialect)).toEqual(state);
    expect(await filesState(uploadsDir)).toEqual(files);
    expect(fs.readdirSync(publicDir)).toEqual(['uploads']);
  }

  test('check: the archive verifies and matches the database; verify progress grows to 100', async () => {
    const events: RestoreProgress[] = [];
    const check = await checkArchive(backup.file, { knex, dialect, keepTables: KEPT_TABLES, expectedSha256: backup.sha256, onProgress: (p) => events.push(p) });
    expect(check).toMatchObject({ ok: true, errors: [], differences: [] });
    expect(check.manifest?.contents).toEqual({ database: true, excludedTables: [], uploads: true, projectFiles: false, env: false });
    expect(events[events.length - 1]).toEqual({ step: 'verify', percent: 100, detail: 'archive verified' });
    for (let i = 1; i < events.length; i += 1) expect(events[i].percent).toBeGreaterThanOrEqual(events[i - 1].percent);
  });

  test('round trip: every table row for row, every upload by sha256, fresh ids, kept tables untouched', async () => {
    await changeSite();
    await knex('plugin_profiles').insert({ name: 'Added after the backup' });
    await knex('plugin_records').insert([{ status: 'running', author_id: 2 }, { status: 'queued', author_id: null }]);
    const kept = await databaseState(knex, dialect, ['plugin_profiles']);
    const recordsBefore = await knex('plugin_records').select('id', 'status').orderBy('id');

    const events: RestoreProgress[] = [];
    const result = await restoreArchive(options({ onProgress: (p) => events.push(p) }));

    expect(restored(await databaseState(knex, dialect))).toEqual(restored(before));
    expect(await filesState(uploadsDir)).toEqual(beforeFiles);
    expect(fs.readdirSync(publicDir)).toEqual(['uploads']);
    // Kept tables: untouched, except what the foreign key's own ON DELETE SET NULL says.
    expect(await databaseState(knex, dialect, ['plugin_profiles'])).toEqual(kept);
    expect(await knex('plugin_records').select('id', 'status').orderBy('id')).toEqual(recordsBefore);
    expect((await knex('plugin_records').whereNotNull('author_id')).length).toBe(0);

    const restoredTables = backup.manifest.tables.filter((t) => !KEPT_TABLES.includes(t.name));
    expect(result.tables).toEqual(Object.fromEntries(restoredTables.map((t) => [t.name, t.rows])));
    expect(result).toMatchObject({ skipped: { tables: [], columns: [] }, untouched: [], uploads: 'replaced', projectFiles: 'unchanged', files: 3 });
    expect(result.bytes).toBe(200 * 1024 + 10);

    for (let i = 1; i < events.length; i += 1) expect(events[i].percent).toBeGreaterThanOrEqual(events[i - 1].percent);
    expect(events.filter((e) => e.percent === 100)).toEqual([{ step: 'done', percent: 100, detail: 'restored' }]);

    // The next insert gets an id above every restored one (and above ids used since the backup).
    for (const table of ['items', 'authors', 'kinds', 'posts', 'comments']) {
      const [{ m }] = await knex(table).max({ m: 'id' });
      const row = table === 'comments' ? { post_id: 1 } : {};
      const [created] = dialect === 'mysql' ? await knex(table).insert(row) : await knex(table).insert(row, ['id']);
      const newId = Number(typeof created === 'object' ? created.id : created);
      expect({ table, above: newId > Number(m) }).toEqual({ table, above: true });
      if (table === 'items') expect(newId).toBeGreaterThan(27); // 26 and 27 were used after the backup
      await knex(table).where({ id: newId }).del();
    }
  });

  test('into a table whose id counter starts over (a fresh install), the next id follows the restored ones', async () => {
    await knex('posts_items_lnk').del();
    await knex('items').del();
    if (dialect === 'postgres') await knex.raw("select setval(pg_get_serial_sequence('items', 'id'), 1, false)");
    if (dialect === 'mysql') await knex.raw('alter table items auto_increment = 1');
    if (dialect === 'sqlite') await knex.raw("update sqlite_sequence set seq = 0 where name = 'items'");
    await restoreArchive(options());
    const [created] = dialect === 'mysql' ? await knex('items').insert({ label: 'next' }) : await knex('items').insert({ label: 'next' }, ['id']);
    expect(Number(typeof created === 'object' ? created.id : created)).toBe(26);
  });

  test('an archive from before JSON was kept as text (parsed values, no encoding mark) restores its JSON', async () => {
    const file = path.join(work, 'legacy-json.tar');
    await craftArchive(backup.file, file, (entries) => {
      const m = entries.find((e) => e.name === 'manifest.json')!;
      const manifest = JSON.parse(m.data.toString('utf8'));
      for (const t of manifest.tables) {
        const json = t.columns.filter((c: any) => c.encoding === 'text').map((c: any) => c.name);
        for (const c of t.columns) delete c.encoding;
        if (json.length === 0 || t.name === 'jsons') continue; // not JSON text there: kept below
        setTableRows(entries, t.name, (rows) => rows.map((r) => {
          for (const c of json) if (typeof r[c] === 'string') r[c] = JSON.parse(r[c] as string);
          return r;
        }));
      }
      m.data = Buffer.from(JSON.stringify(manifest));
    });
    const check = await checkArchive(file, { knex, dialect, keepTables: [...KEPT_TABLES, 'jsons'] });
    expect(check.errors).toEqual([]);
    await changeSite();
    await knex('kinds').update({ doc: JSON.stringify({ other: true }) });
    await restoreArchive(options({ file, manifest: check.manifest!, keepTables: [...KEPT_TABLES, 'jsons'] }));
    expect(await databaseState(knex, dialect, ['kinds'])).toEqual({ kinds: before.kinds });
  });

  test('a tar.gz archive restores the same', async () => {
    const gz = await takeBackup('site.tar.gz', 'tar.gz');
    const state = await databaseState(knex, dialect);
    const files = await filesState(uploadsDir);
    await changeSite();
    await restoreArchive(options({ file: gz.file, manifest: gz.manifest }));
    expect(await databaseState(knex, dialect)).toEqual(state);
    expect(await filesState(uploadsDir)).toEqual(files);
  });

  test('damaged or hostile archives are refused by the check and by the restore, and change nothing', async () => {
    await changeSite();
    const bytes = fs.readFileSync(backup.file);
    const damaged = async (name: string, data: Buffer) => {
      const file = path.join(work, name);
      fs.writeFileSync(file, data);
      return file;
    };
    const offsetOf = (entry: string) => {
      for (let off = 0; off < bytes.length; off += 512) {
        if (bytes.subarray(off, off + entry.length).toString() === entry && bytes[off + entry.length] === 0) return off + 512;
      }
      throw new Error(`no ${entry}`);
    };
    const flip = (entry: string, at: number) => {
      const copy = Buffer.from(bytes);
      copy[offsetOf(entry) + at] ^= 0xff;
      return copy;
    };
    const cases: [string, Buffer, RegExp][] = [
      ['truncated.tar', bytes.subarray(0, offsetOf('db/posts.ndjson.gz') + 100), /truncated/],
      ['table-byte.tar', flip('db/posts.ndjson.gz', 30), /db\/posts\.ndjson\.gz: sha256 does not match/],
      ['upload-byte.tar', flip('uploads/a.jpg', 3), /uploads\/a\.jpg: sha256 does not match/],
    ];
    for (const [name, data, message] of cases) {
      const file = await damaged(name, data);
      const check = await checkArchive(file, { knex, dialect, keepTables: KEPT_TABLES });
      expect(check.ok).toBe(false);
      expect(check.errors.join('\n')).toMatch(message);
      // Restored anyway with the good manifest (the archive changed after its check): refused mid-way.
      await expectNothingChanged(() => restoreArchive(options({ file })), /sha256|truncated|Unexpected end|missing|changed/i);
    }

    // An entry escaping the upload directory, after the tables: refused after the load began.
    const escaping = path.join(work, 'escaping.tar');
    const entries = (await readArchive(backup.file)).map(({ name, data }) => ({ name, data }));
    const manifest = entries.pop()!;
    await writeTar(escaping, [...entries, { name: 'uploads/../../escaped.txt', data: Buffer.from('x') }, manifest]);
    expect((await checkArchive(escaping, { knex, dialect })).errors).toContain('entry "uploads/../../escaped.txt" escapes the archive with a ".." segment');
    await expectNothingChanged(() => restoreArchive(options({ file: escaping })), ArchiveRefusedError);
    expect(fs.existsSync(path.join(work, 'app', 'escaped.txt'))).toBe(false);

    const future = path.join(work, 'future.tar');
    await craftArchive(backup.file, future, (e) => {
      const m = e.find((x) => x.name === 'manifest.json')!;
      m.data = Buffer.from(JSON.stringify({ ...JSON.parse(m.data.toString()), formatVersion: 2 }));
    }, false);
    const check = await checkArchive(future, { knex, dialect });
    expect(check).toMatchObject({ ok: false, errors: ['manifest.json: formatVersion 2 is not supported (expected 1)'] });
  });

  test('a row violating a constraint mid-load rolls the database back and leaves the uploads untouched', async () => {
    await changeSite();
    const file = path.join(work, 'duplicate-slug.tar');
    await craftArchive(backup.file, file, (e) => setTableRows(e, 'posts', (rows) => [...rows, { ...rows[0], id: 99 }]));
    const check = await checkArchive(file, { knex, dialect, keepTables: KEPT_TABLES });
    expect(check.errors).toEqual([]);
    await expectNothingChanged(() => restoreArchive(options({ file, manifest: check.manifest! })), /loading posts failed/);
    // The database's message, not knex's statement with every value of the batch inlined.
    const error = await restoreArchive(options({ file, manifest: check.manifest! })).catch((e: Error) => e);
    expect(error).toBeInstanceOf(RestoreFailedError);
    expect((error as Error).message).toMatch(/unique|duplicate/i);
    expect((error as Error).message).not.toMatch(/insert into|second|third/);
  });

  test('a foreign key that does not hold after the load rolls everything back', async () => {
    await changeSite();
    const file = path.join(work, 'dangling.tar');
    await craftArchive(backup.file, file, (e) => setTableRows(e, 'comments', (rows) => rows.map((r, i) => (i === 0 ? { ...r, post_id: 999 } : r))));
    const check = await checkArchive(file, { knex, dialect, keepTables: KEPT_TABLES });
    expect(check.ok).toBe(true);
    await expectNothingChanged(() => restoreArchive(options({ file, manifest: check.manifest! })), RestoreFailedError);
    await expect(restoreArchive(options({ file, manifest: check.manifest! }))).rejects.toThrow(/foreign key .*comments.*posts/);
  });

  test('abort mid-load rolls back and removes the staging directory', async () => {
    await changeSite();
    const controller = new AbortController();
    // Abort at the first row inserted (progress events are throttled: too late to be sure).
    const onQuery = (q: { sql: string }) => {
      if (/^insert into/i.test(q.sql)) controller.abort();
    };
    knex.on('query', onQuery);
    try {
      await expectNothingChanged(() => restoreArchive(options({ batchSize: 1, signal: controller.signal })), /abort/i);
    } finally {
      knex.off('query', onQuery);
    }
    expect(controller.signal.aborted).toBe(true);
  });

  test('an incompatible schema is refused without force; force restores the common part', async () => {
    await knex.schema.createTable('gone', (t) => t.increments('id'));
    await knex('gone').insert({});
    await knex.schema.alterTable('pairs', (t) => t.string('legacy'));
    const older = await takeBackup('older.tar', 'tar');
    const olderPairs = await knex('pairs').select('a', 'b', 'v').orderBy(['a', 'b']);
    await knex.schema.dropTable('gone');
    await knex.schema.alterTable('pairs', (t) => t.dropColumn('legacy'));
    await knex.schema.alterTable('pairs', (t) => t.string('extra'));
    await knex.schema.createTable('newer', (t) => t.increments('id'));
    await knex('newer').insert({});

    const check = await checkArchive(older.file, { knex, dialect, keepTables: KEPT_TABLES });
    expect(check.ok).toBe(false);
    expect(check.errors).toEqual([]);
    expect(check.differences).toEqual([
      'table "gone" is in the archive but not in the database',
      'table "pairs": column "legacy" is in the archive but not in the database',
      'table "pairs": column "extra" is in the database but not in the archive',
      'table "newer" is in the database but not in the archive',
    ]);
    await expectNothingChanged(() => restoreArchive(options({ file: older.file, manifest: older.manifest })), /force restores the part/);

    await changeSite();
    const newer = await databaseState(knex, dialect, ['newer']);
    const result = await restoreArchive(options({ file: older.file, manifest: older.manifest, force: true }));
    expect(result.skipped).toEqual({ tables: ['gone'], columns: ['pairs.legacy'] });
    expect(result.untouched).toEqual(['newer']);
    expect(await knex('pairs').select('a', 'b', 'v').orderBy(['a', 'b'])).toEqual(olderPairs);
    expect((await knex('pairs').whereNotNull('extra')).length).toBe(0);
    expect(await databaseState(knex, dialect, ['newer'])).toEqual(newer);
    const { pairs: _p, newer: _n, gone: _g, ...others } = restored(await databaseState(knex, dialect));
    const { pairs: _p2, ...othersBefore } = restored(before);
    expect(others).toEqual(othersBefore);
    expect(await filesState(uploadsDir)).toEqual(beforeFiles);
  });
});
