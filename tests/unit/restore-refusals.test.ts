/**
 * What a restore refuses or fails on must change nothing at all — database checksums, upload
 * files, no staging directory left: damaged and hostile archives (also when the archive changed
 * after its check), a row violating a constraint mid-load, a foreign key broken by the load, an
 * abort mid-load, an archive from another database dialect.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ArchiveRefusedError, RestoreFailedError, checkArchive, restoreArchive } from '../../server/src/engine';
import { dialectsUnderTest } from '../helpers/databases';
import { craftArchive, entryDataOffset, flipEntryByte, readArchive, setTableRows, writeTar } from '../helpers/archive';
import { KEPT_TABLES } from '../helpers/schema';
import { changeSite, expectNothingChanged, restoreOptions, useRestoreSite } from '../helpers/restore-site';

describe.each(dialectsUnderTest())('restore refusals on %s', (dialect) => {
  const site = useRestoreSite(dialect, 'restore_refuse');

  test('damaged or hostile archives are refused by the check and by the restore, and change nothing', async () => {
    await changeSite(site);
    const bytes = fs.readFileSync(site.backup.file);
    const damaged = async (name: string, data: Buffer) => {
      const file = path.join(site.work, name);
      fs.writeFileSync(file, data);
      return file;
    };
    const offsetOf = (entry: string) => entryDataOffset(bytes, entry);
    const flip = (entry: string, at: number) => flipEntryByte(bytes, entry, at);
    const cases: [string, Buffer, RegExp][] = [
      ['truncated.tar', bytes.subarray(0, offsetOf('db/posts.ndjson.gz') + 100), /truncated/],
      ['table-byte.tar', flip('db/posts.ndjson.gz', 30), /db\/posts\.ndjson\.gz: sha256 does not match/],
      ['upload-byte.tar', flip('uploads/a.jpg', 3), /uploads\/a\.jpg: sha256 does not match/],
    ];
    for (const [name, data, message] of cases) {
      const file = await damaged(name, data);
      const check = await checkArchive(file, { knex: site.knex, dialect, keepTables: KEPT_TABLES });
      expect(check.ok).toBe(false);
      expect(check.errors.join('\n')).toMatch(message);
      // A record's restore: the recorded sha256 is what the check compares (one line, not per entry).
      const recorded = await checkArchive(file, { knex: site.knex, dialect, keepTables: KEPT_TABLES, expectedSha256: site.backup.sha256 });
      const recordedMessage =
        name === 'truncated.tar' ? /truncated/ : /differs from the expected .* \(the archive was modified or damaged since it was written\)$/;
      expect(recorded.errors).toEqual([expect.stringMatching(recordedMessage)]);
      // Restored anyway with the good manifest (the archive changed after its check): refused mid-way.
      await expectNothingChanged(site, () => restoreArchive(restoreOptions(site, { file })), /sha256|truncated|Unexpected end|missing|changed/i);
    }

    // A damaged archive recorded with its own sha256 passes the check, which then trusts its
    // entries: the restore still re-hashes each one and refuses it, changing nothing.
    const vouched = await damaged('vouched.tar', flip('uploads/a.jpg', 3));
    const ownSha = createHash('sha256').update(fs.readFileSync(vouched)).digest('hex');
    const vouchedCheck = await checkArchive(vouched, { knex: site.knex, dialect, keepTables: KEPT_TABLES, expectedSha256: ownSha });
    expect(vouchedCheck.errors).toEqual([]);
    await expectNothingChanged(
      site,
      () => restoreArchive(restoreOptions(site, { file: vouched, manifest: vouchedCheck.manifest! })),
      /uploads\/a\.jpg: size or sha256 does not match/,
    );

    // An entry escaping the upload directory, after the tables: refused after the load began.
    const escaping = path.join(site.work, 'escaping.tar');
    const entries = (await readArchive(site.backup.file)).map(({ name, data }) => ({ name, data }));
    const manifest = entries.pop()!;
    await writeTar(escaping, [...entries, { name: 'uploads/../../escaped.txt', data: Buffer.from('x') }, manifest]);
    expect((await checkArchive(escaping, { knex: site.knex, dialect })).errors).toContain(
      'entry "uploads/../../escaped.txt" escapes the archive with a ".." segment',
    );
    await expectNothingChanged(site, () => restoreArchive(restoreOptions(site, { file: escaping })), ArchiveRefusedError);
    expect(fs.existsSync(path.join(site.work, 'app', 'escaped.txt'))).toBe(false);

    // A symlink entry among the uploads: never created.
    const linking = path.join(site.work, 'linking.tar');
    await writeTar(linking, [{ name: 'uploads/link.jpg', type: 'symlink', linkname: '/etc/passwd' }, ...entries, manifest]);
    await expectNothingChanged(site, () => restoreArchive(restoreOptions(site, { file: linking })), /is a symlink, not a regular file/);

    // A directory and a file of one name, both small: each is written behind the reader, and
    // whichever lands second fails. That failure must stop the restore before its commit.
    const clashing = path.join(site.work, 'clashing.tar');
    const clash = [
      { name: 'uploads/clash/inner.jpg', data: Buffer.from('inner') },
      { name: 'uploads/clash', data: Buffer.from('outer') },
    ];
    const listed = JSON.parse(manifest.data.toString('utf8'));
    listed.files.push(...clash.map(({ name, data }) => ({ path: name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') })));
    const firstTable = entries.findIndex((e) => e.name.startsWith('db/'));
    await writeTar(clashing, [
      ...entries.slice(0, firstTable),
      ...clash,
      ...entries.slice(firstTable),
      { ...manifest, data: Buffer.from(JSON.stringify(listed)) },
    ]);
    await expectNothingChanged(
      site,
      () => restoreArchive(restoreOptions(site, { file: clashing, manifest: listed })),
      /clash(\/inner\.jpg)? is both a file and a directory|uploads\/clash clashes with another entry/,
    );

    const future = path.join(site.work, 'future.tar');
    await craftArchive(
      site.backup.file,
      future,
      (e) => {
        const m = e.find((x) => x.name === 'manifest.json')!;
        m.data = Buffer.from(JSON.stringify({ ...JSON.parse(m.data.toString()), formatVersion: 2 }));
      },
      false,
    );
    const check = await checkArchive(future, { knex: site.knex, dialect });
    expect(check).toMatchObject({ ok: false, errors: ['manifest.json: formatVersion 2 is not supported (expected 1)'] });
  });

  test('a row violating a constraint mid-load rolls the database back and leaves the uploads untouched', async () => {
    await changeSite(site);
    const file = path.join(site.work, 'duplicate-slug.tar');
    await craftArchive(site.backup.file, file, (e) => setTableRows(e, 'posts', (rows) => [...rows, { ...rows[0], id: 99 }]));
    const check = await checkArchive(file, { knex: site.knex, dialect, keepTables: KEPT_TABLES });
    expect(check.errors).toEqual([]);
    await expectNothingChanged(site, () => restoreArchive(restoreOptions(site, { file, manifest: check.manifest! })), /loading posts failed/);
    // The database's message, not knex's statement with every value of the batch inlined.
    const error = await restoreArchive(restoreOptions(site, { file, manifest: check.manifest! })).catch((e: Error) => e);
    expect(error).toBeInstanceOf(RestoreFailedError);
    expect((error as Error).message).toMatch(/unique|duplicate/i);
    expect((error as Error).message).not.toMatch(/insert into|second|third/);

    // One row per batch, the bad one second: it fails while the next batch is being read (one
    // batch is in flight at a time); the error names its own rows, and nothing is kept.
    const early = path.join(site.work, 'duplicate-early.tar');
    await craftArchive(site.backup.file, early, (e) => setTableRows(e, 'posts', (rows) => [rows[0], { ...rows[0], id: 99 }, ...rows.slice(1)]));
    const earlyCheck = await checkArchive(early, { knex: site.knex, dialect, keepTables: KEPT_TABLES });
    expect(earlyCheck.errors).toEqual([]);
    await expectNothingChanged(
      site,
      () => restoreArchive(restoreOptions(site, { file: early, manifest: earlyCheck.manifest!, batchSize: 1 })),
      /loading posts failed in the rows up to row 2: /,
    );
  });

  test('a foreign key that does not hold after the load rolls everything back', async () => {
    await changeSite(site);
    const file = path.join(site.work, 'dangling.tar');
    await craftArchive(site.backup.file, file, (e) => setTableRows(e, 'comments', (rows) => rows.map((r, i) => (i === 0 ? { ...r, post_id: 999 } : r))));
    const check = await checkArchive(file, { knex: site.knex, dialect, keepTables: KEPT_TABLES });
    expect(check.ok).toBe(true);
    await expectNothingChanged(site, () => restoreArchive(restoreOptions(site, { file, manifest: check.manifest! })), RestoreFailedError);
    await expect(restoreArchive(restoreOptions(site, { file, manifest: check.manifest! }))).rejects.toThrow(/foreign key .*comments.*posts/);
  });

  test('abort mid-load rolls back and removes the staging directory', async () => {
    await changeSite(site);
    const controller = new AbortController();
    let rowsLoaded = 0;
    await expectNothingChanged(
      site,
      () =>
        restoreArchive(
          restoreOptions(site, {
            batchSize: 1,
            signal: controller.signal,
            // The database step is reported as soon as its first row is in: abort then.
            onProgress: (p) => {
              if (p.step === 'database' && !controller.signal.aborted) {
                rowsLoaded = p.percent;
                controller.abort();
              }
            },
          }),
        ),
      /abort/i,
    );
    expect(controller.signal.aborted).toBe(true);
    expect(rowsLoaded).toBeGreaterThan(0);
  });

  test('an archive from another dialect is refused, even with force', async () => {
    const other = dialect === 'sqlite' ? 'postgres' : 'sqlite';
    const file = path.join(site.work, 'other-dialect.tar');
    await craftArchive(site.backup.file, file, (e) => {
      const m = e.find((x) => x.name === 'manifest.json')!;
      m.data = Buffer.from(JSON.stringify({ ...JSON.parse(m.data.toString()), dialect: other }));
    });
    const check = await checkArchive(file, { knex: site.knex, dialect, keepTables: KEPT_TABLES });
    const message = `the archive was made on ${other} and this database is ${dialect}: restoring across database dialects is not supported`;
    expect(check).toMatchObject({ ok: false, errors: [message], differences: [] });
    await expectNothingChanged(site, () => restoreArchive(restoreOptions(site, { file, manifest: check.manifest!, force: true })), ArchiveRefusedError);
  });
});
