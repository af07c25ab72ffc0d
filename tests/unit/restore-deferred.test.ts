/**
 * A restore with nothing between its check and itself (no safety backup) reads the archive once:
 * the check reads only the manifest, from the end of a plain tar (deferEntries), and the restore
 * checks every entry, the manifest entry and the whole file's sha256 as it reads them, before its
 * commit. A damaged archive then passes the check and must still change nothing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkArchive, restoreArchive, type CheckOptions } from '../../server/src/engine';
import { readTailManifest } from '../../server/src/engine/tail-manifest';
import { craftArchive, flipEntryByte, readArchive, setTableRows, tempDir, writeTar } from '../helpers/archive';
import { dialectsUnderTest } from '../helpers/databases';
import { changeSite, expectNothingChanged, restoreOptions, restoredPart, takeBackup, useRestoreSite } from '../helpers/restore-site';
import { KEPT_TABLES } from '../helpers/schema';
import { databaseState, filesState } from '../helpers/site-state';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.each(dialectsUnderTest())('a restore that checks the entries itself, on %s', (dialect) => {
  const site = useRestoreSite(dialect, 'restore_defer');
  const check = (file: string, over: Partial<CheckOptions> = {}) =>
    checkArchive(file, { knex: site.knex, dialect, keepTables: KEPT_TABLES, deferEntries: true, ...over });
  const write = (name: string, data: Buffer) => {
    const file = path.join(site.work, name);
    fs.writeFileSync(file, data);
    return file;
  };
  /** The archive with one byte of an entry's data flipped. */
  const flipped = (entry: string, at: number) => flipEntryByte(fs.readFileSync(site.backup.file), entry, at);

  test('the check reads the manifest from the end of the archive; the restore puts the site back', async () => {
    await changeSite(site);
    const manifestEntry = (await readArchive(site.backup.file)).find((e) => e.name === 'manifest.json')!;
    const checked = await check(site.backup.file, { expectedSha256: site.backup.sha256 });
    expect(checked).toMatchObject({
      ok: true,
      errors: [],
      differences: [],
      deferred: { sha256: site.backup.sha256, manifestSha256: sha256(manifestEntry.data) },
    });
    expect(checked.manifest).toEqual(JSON.parse(manifestEntry.data.toString('utf8')));
    await restoreArchive(restoreOptions(site, { manifest: checked.manifest!, deferred: checked.deferred }));
    expect(restoredPart(await databaseState(site.knex, dialect))).toEqual(restoredPart(site.before));
    expect(await filesState(site.uploadsDir)).toEqual(site.beforeFiles);
  });

  test('a damaged or changed archive passes the check and is refused by the restore, changing nothing', async () => {
    await changeSite(site);
    const cases: [string, Buffer, RegExp][] = [
      ['upload.tar', flipped('uploads/a.jpg', 3), /- uploads\/a\.jpg: size or sha256 does not match the manifest/],
      ['table.tar', flipped('db/posts.ndjson.gz', 30), /- db\/posts\.ndjson\.gz(: sha256 does not match| cannot be decompressed)/],
      // Every entry intact, the file not the one recorded: only the file's sha256 tells.
      ['padded.tar', Buffer.concat([fs.readFileSync(site.backup.file), Buffer.alloc(512)]), /- archive sha256 [0-9a-f]{64} differs from the expected/],
    ];
    for (const [name, data, message] of cases) {
      const file = write(name, data);
      const checked = await check(file, { expectedSha256: site.backup.sha256 });
      expect({ name, errors: checked.errors, deferred: Boolean(checked.deferred) }).toEqual({ name, errors: [], deferred: true });
      await expectNothingChanged(site, () => restoreArchive(restoreOptions(site, { file, manifest: checked.manifest!, deferred: checked.deferred })), message);
    }

    // Damage the restore meets before it could tell by a sha256: a tar header that does not parse,
    // and rows that inflate and decode but break a unique key (the manifest rewritten to match, so
    // only the record's sha256 of the whole file tells). Refused, not failed, as the full check would.
    const header = fs.readFileSync(site.backup.file);
    header[header.indexOf('uploads/a.jpg\0')] ^= 0xff;
    const duplicated = path.join(site.work, 'duplicated.tar');
    await craftArchive(site.backup.file, duplicated, (e) => setTableRows(e, 'posts', (rows) => [...rows, { ...rows[0], id: 99 }]));
    for (const [file, message] of [
      [write('header.tar', header), /- the archive is truncated or corrupt: /],
      [duplicated, /- archive sha256 [0-9a-f]{64} differs from the expected/],
    ] as const) {
      const checked = await check(file, { expectedSha256: site.backup.sha256 });
      expect(checked.errors).toEqual([]);
      await expectNothingChanged(site, () => restoreArchive(restoreOptions(site, { file, manifest: checked.manifest!, deferred: checked.deferred })), message);
    }

    // Without a recorded sha256, an entry the restore does not use (a kept table) is still checked.
    const kept = write('kept.tar', flipped('db/plugin_records.ndjson.gz', 30));
    const unvouched = await check(kept);
    expect(unvouched).toMatchObject({ errors: [], deferred: { sha256: null } });
    await expectNothingChanged(
      site,
      () => restoreArchive(restoreOptions(site, { file: kept, manifest: unvouched.manifest!, deferred: unvouched.deferred })),
      /- db\/plugin_records\.ndjson\.gz: size or sha256 does not match the manifest/,
    );

    // The archive replaced after its check by one with another manifest: refused at that entry.
    const checked = await check(site.backup.file);
    const other = path.join(site.work, 'other-manifest.tar');
    await craftArchive(site.backup.file, other, (entries) => {
      const m = entries.find((e) => e.name === 'manifest.json')!;
      m.data = Buffer.from(JSON.stringify(JSON.parse(m.data.toString('utf8')), null, 2));
    });
    await expectNothingChanged(
      site,
      () => restoreArchive(restoreOptions(site, { file: other, manifest: checked.manifest!, deferred: checked.deferred })),
      /- manifest\.json is not the one the check read \(the archive changed since it was checked\)$/,
    );
  });

  test('an archive whose manifest cannot be read from its end is checked in full', async () => {
    const gzipped = await takeBackup(site, 'site.tar.gz', 'tar.gz');
    expect(await check(gzipped.file, { expectedSha256: gzipped.sha256 })).toMatchObject({ ok: true, deferred: null, verify: { sha256: gzipped.sha256 } });

    const entries = (await readArchive(site.backup.file)).map(({ name, data }) => ({ name, data }));
    const manifestFirst = path.join(site.work, 'manifest-first.tar');
    await writeTar(manifestFirst, [entries[entries.length - 1], ...entries.slice(0, -1)]);
    const full = await check(manifestFirst);
    expect(full).toMatchObject({ ok: true, deferred: null });
    expect(full.manifest).toEqual(site.backup.manifest);

    const truncated = write('truncated.tar', fs.readFileSync(site.backup.file).subarray(0, 20 * 512));
    expect(await check(truncated)).toMatchObject({ ok: false, deferred: null, errors: [expect.stringMatching(/truncated/)] });
  });
});

describe('the manifest read from the end of a tar', () => {
  test('is found in GNU tar archives (padded to 10 KB records) in each format, and only there', async () => {
    const dir = await tempDir('tail-manifest-');
    try {
      fs.writeFileSync(path.join(dir, 'a.bin'), Buffer.alloc(1000, 1));
      const manifest = Buffer.from(JSON.stringify({ format: 'strapi-plugin-backup', files: 'x'.repeat(3000) }));
      fs.writeFileSync(path.join(dir, 'manifest.json'), manifest);
      for (const format of ['gnu', 'posix', 'ustar']) {
        const file = path.join(dir, `${format}.tar`);
        execFileSync('tar', ['cf', file, `--format=${format}`, '-C', dir, 'a.bin', 'manifest.json']);
        // Padded to a 10 KB record: more zero blocks after the manifest than the two a tar ends with.
        const bytes = fs.readFileSync(file);
        let zeroBlocks = 0;
        while (bytes.subarray(bytes.length - (zeroBlocks + 1) * 512, bytes.length - zeroBlocks * 512).equals(Buffer.alloc(512))) zeroBlocks += 1;
        expect({ format, size: bytes.length % 10240, padded: zeroBlocks > 2 }).toEqual({ format, size: 0, padded: true });
        expect({ format, found: (await readTailManifest(file))?.bytes.equals(manifest) }).toEqual({ format, found: true });
      }
      const last = path.join(dir, 'manifest-not-last.tar');
      execFileSync('tar', ['cf', last, '-C', dir, 'manifest.json', 'a.bin']);
      expect(await readTailManifest(last)).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
