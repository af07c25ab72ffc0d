/**
 * checkArchive + restoreArchive against real databases: a site (every value kind, keys of every
 * shape, foreign keys with a self-reference and a cycle, kept tables, uploads) is backed up,
 * changed and restored; every table must equal the backup row for row, every upload by sha256,
 * ids continue above the restored ones. Force, excluded tables and older archives too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkArchive, restoreArchive } from '../../server/src/engine';
import type { RestoreProgress } from '../../server/src/engine/types';
import { dialectsUnderTest } from '../helpers/databases';
import { craftArchive, setTableRows } from '../helpers/archive';
import { KEPT_TABLES } from '../helpers/schema';
import { changeSite, expectNothingChanged, restoreOptions, restoredPart, takeBackup, useRestoreSite } from '../helpers/restore-site';
import { databaseState, filesState } from '../helpers/site-state';

describe.each(dialectsUnderTest())('restore on %s', (dialect) => {
  const site = useRestoreSite(dialect, 'restore_unit');

  test('check: the archive verifies and matches the database; verify progress grows to 100', async () => {
    const events: RestoreProgress[] = [];
    const check = await checkArchive(site.backup.file, {
      knex: site.knex,
      dialect,
      keepTables: KEPT_TABLES,
      expectedSha256: site.backup.sha256,
      onProgress: (p) => events.push(p),
    });
    expect(check).toMatchObject({ ok: true, errors: [], differences: [] });
    expect(check.manifest?.contents).toEqual({ database: true, excludedTables: [], uploads: true, projectFiles: false, env: false });
    expect(events[events.length - 1]).toEqual({ step: 'verify', percent: 100, detail: 'archive verified' });
    for (let i = 1; i < events.length; i += 1) expect(events[i].percent).toBeGreaterThanOrEqual(events[i - 1].percent);
  });

  test('round trip: every table row for row, every upload by sha256, fresh ids, kept tables untouched', async () => {
    await changeSite(site);
    await site.knex('plugin_profiles').insert({ name: 'Added after the backup' });
    await site.knex('plugin_records').insert([
      { status: 'running', author_id: 2 },
      { status: 'queued', author_id: null },
    ]);
    const kept = await databaseState(site.knex, dialect, ['plugin_profiles']);
    const recordsBefore = await site.knex('plugin_records').select('id', 'status').orderBy('id');

    const events: RestoreProgress[] = [];
    const result = await restoreArchive(restoreOptions(site, { onProgress: (p) => events.push(p) }));

    expect(restoredPart(await databaseState(site.knex, dialect))).toEqual(restoredPart(site.before));
    expect(await filesState(site.uploadsDir)).toEqual(site.beforeFiles);
    expect(fs.readdirSync(site.publicDir)).toEqual(['uploads']);
    // The connections go back to the pool with foreign keys on and MySQL's sql_mode as it was, and
    // (MySQL: rows go in through prepared statements) every statement the load prepared closed.
    if (dialect === 'sqlite') expect(await site.knex.raw('pragma foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    if (dialect === 'mysql') {
      const counter = (name: string) => `(select variable_value from information_schema.session_status where variable_name = '${name}')`;
      const sessions = await Promise.all(
        Array.from({ length: 5 }, () =>
          site.knex
            .raw(
              `select @@session.foreign_key_checks as fk, @@session.sql_mode as m, ${counter('COM_STMT_PREPARE')} as prepared, ${counter('COM_STMT_CLOSE')} as closed, sleep(0.05) as s`,
            )
            .then((r: any) => r[0][0]),
        ),
      );
      for (const { fk, m, prepared, closed } of sessions) {
        expect({ fk: Number(fk), noAutoValueOnZero: String(m).includes('NO_AUTO_VALUE_ON_ZERO'), open: Number(prepared) - Number(closed) }).toEqual({
          fk: 1,
          noAutoValueOnZero: false,
          open: 0,
        });
      }
      expect(Math.max(...sessions.map((x) => Number(x.prepared)))).toBeGreaterThan(0);
    }
    // Kept tables: untouched, except what the foreign key's own ON DELETE SET NULL says.
    expect(await databaseState(site.knex, dialect, ['plugin_profiles'])).toEqual(kept);
    expect(await site.knex('plugin_records').select('id', 'status').orderBy('id')).toEqual(recordsBefore);
    expect((await site.knex('plugin_records').whereNotNull('author_id')).length).toBe(0);

    const restoredTables = site.backup.manifest.tables.filter((t) => !KEPT_TABLES.includes(t.name));
    expect(result.tables).toEqual(Object.fromEntries(restoredTables.map((t) => [t.name, t.rows])));
    expect(result).toMatchObject({ skipped: { tables: [], columns: [] }, untouched: [], uploads: 'replaced', projectFiles: 'unchanged', files: 4 });
    expect(result.bytes).toBe(200 * 1024 + 2600 * 1024 + 10);

    for (let i = 1; i < events.length; i += 1) expect(events[i].percent).toBeGreaterThanOrEqual(events[i - 1].percent);
    expect(events.filter((e) => e.percent === 100)).toEqual([{ step: 'done', percent: 100, detail: 'restored' }]);

    // The next insert gets an id above every restored one (and above ids used since the site.backup).
    for (const table of ['items', 'authors', 'kinds', 'posts', 'comments']) {
      const [{ m }] = await site.knex(table).max({ m: 'id' });
      const row = table === 'comments' ? { post_id: 1 } : {};
      const [created] = dialect === 'mysql' ? await site.knex(table).insert(row) : await site.knex(table).insert(row, ['id']);
      const newId = Number(typeof created === 'object' ? created.id : created);
      expect({ table, above: newId > Number(m) }).toEqual({ table, above: true });
      if (table === 'items') expect(newId).toBeGreaterThan(27); // 26 and 27 were used after the site.backup
      await site.knex(table).where({ id: newId }).del();
    }
  });

  test('into a table whose id counter starts over (a fresh install), the next id follows the restored ones', async () => {
    await site.knex('posts_items_lnk').del();
    await site.knex('items').del();
    if (dialect === 'postgres') await site.knex.raw("select setval(pg_get_serial_sequence('items', 'id'), 1, false)");
    if (dialect === 'mysql') await site.knex.raw('alter table items auto_increment = 1');
    if (dialect === 'sqlite') await site.knex.raw("update sqlite_sequence set seq = 0 where name = 'items'");
    await restoreArchive(restoreOptions(site));
    const [created] = dialect === 'mysql' ? await site.knex('items').insert({ label: 'next' }) : await site.knex('items').insert({ label: 'next' }, ['id']);
    expect(Number(typeof created === 'object' ? created.id : created)).toBe(26);
  });

  test('an archive from before JSON was kept as text (parsed values, no encoding mark) restores its JSON', async () => {
    const file = path.join(site.work, 'legacy-json.tar');
    await craftArchive(site.backup.file, file, (entries) => {
      const m = entries.find((e) => e.name === 'manifest.json')!;
      const manifest = JSON.parse(m.data.toString('utf8'));
      for (const t of manifest.tables) {
        const json = t.columns.filter((c: any) => c.encoding === 'text').map((c: any) => c.name);
        for (const c of t.columns) delete c.encoding;
        if (json.length === 0 || t.name === 'jsons') continue; // not JSON text there: kept below
        setTableRows(entries, t.name, (rows) =>
          rows.map((r) => {
            for (const c of json) if (typeof r[c] === 'string') r[c] = JSON.parse(r[c] as string);
            return r;
          }),
        );
      }
      m.data = Buffer.from(JSON.stringify(manifest));
    });
    const check = await checkArchive(file, { knex: site.knex, dialect, keepTables: [...KEPT_TABLES, 'jsons'] });
    expect(check.errors).toEqual([]);
    await changeSite(site);
    await site.knex('kinds').update({ doc: JSON.stringify({ other: true }) });
    await restoreArchive(restoreOptions(site, { file, manifest: check.manifest!, keepTables: [...KEPT_TABLES, 'jsons'] }));
    expect(await databaseState(site.knex, dialect, ['kinds'])).toEqual({ kinds: site.before.kinds });
  });

  test('a tar.gz archive restores the same', async () => {
    const gz = await takeBackup(site, 'site.tar.gz', 'tar.gz');
    const state = await databaseState(site.knex, dialect);
    const files = await filesState(site.uploadsDir);
    await changeSite(site);
    await restoreArchive(restoreOptions(site, { file: gz.file, manifest: gz.manifest }));
    expect(await databaseState(site.knex, dialect)).toEqual(state);
    expect(await filesState(site.uploadsDir)).toEqual(files);
  });

  test('tables the profile excluded are left alone; a key from a table not restored refuses unless SET NULL', async () => {
    const partial = await takeBackup(site, 'partial.tar', 'tar', ['secrets']);
    await site.knex('secrets').insert({ token: 'added after the backup' });
    const secrets = await databaseState(site.knex, dialect, ['secrets']);
    const check = await checkArchive(partial.file, { knex: site.knex, dialect, keepTables: KEPT_TABLES });
    expect(check).toMatchObject({ ok: true, differences: [] });
    await changeSite(site);
    const result = await restoreArchive(restoreOptions(site, { file: partial.file, manifest: partial.manifest }));
    expect(result.untouched).toEqual(['secrets']);
    expect(await databaseState(site.knex, dialect, ['secrets'])).toEqual(secrets);
    expect(restoredPart(await databaseState(site.knex, dialect))).toEqual({ ...restoredPart(site.before), secrets: secrets.secrets });

    // A kept table whose key into a restored table says NO ACTION: the restore would break it.
    await site.knex.schema.createTable('audit', (t) => {
      t.increments('id');
      t.integer('author_id').unsigned().references('authors.id');
    });
    try {
      await site.knex('audit').insert({ author_id: 1 });
      await expectNothingChanged(
        site,
        () => restoreArchive(restoreOptions(site, { file: partial.file, manifest: partial.manifest, keepTables: [...KEPT_TABLES, 'audit'] })),
        /1 row\(s\) of audit, which is not restored, reference authors .*ON DELETE (NO ACTION|RESTRICT)/,
      );
    } finally {
      await site.knex.schema.dropTable('audit');
    }
  });

  test('an incompatible schema is refused without force; force restores the common part', async () => {
    await site.knex.schema.createTable('gone', (t) => t.increments('id'));
    await site.knex('gone').insert({});
    await site.knex.schema.alterTable('pairs', (t) => t.string('legacy'));
    const older = await takeBackup(site, 'older.tar', 'tar');
    const olderPairs = await site.knex('pairs').select('a', 'b', 'v').orderBy(['a', 'b']);
    await site.knex.schema.dropTable('gone');
    await site.knex.schema.alterTable('pairs', (t) => t.dropColumn('legacy'));
    await site.knex.schema.alterTable('pairs', (t) => t.string('extra'));
    await site.knex.schema.createTable('newer', (t) => t.increments('id'));
    await site.knex('newer').insert({});

    const check = await checkArchive(older.file, { knex: site.knex, dialect, keepTables: KEPT_TABLES });
    expect(check.ok).toBe(false);
    expect(check.errors).toEqual([]);
    expect(check.differences).toEqual([
      'table "gone" is in the archive but not in the database',
      'table "pairs": column "legacy" is in the archive but not in the database',
      'table "pairs": column "extra" is in the database but not in the archive',
      'table "newer" is in the database but not in the archive',
    ]);
    await expectNothingChanged(site, () => restoreArchive(restoreOptions(site, { file: older.file, manifest: older.manifest })), /force restores the part/);

    await changeSite(site);
    const newer = await databaseState(site.knex, dialect, ['newer']);
    const result = await restoreArchive(restoreOptions(site, { file: older.file, manifest: older.manifest, force: true }));
    expect(result.skipped).toEqual({ tables: ['gone'], columns: ['pairs.legacy'] });
    expect(result.untouched).toEqual(['newer']);
    expect(await site.knex('pairs').select('a', 'b', 'v').orderBy(['a', 'b'])).toEqual(olderPairs);
    expect((await site.knex('pairs').whereNotNull('extra')).length).toBe(0);
    expect(await databaseState(site.knex, dialect, ['newer'])).toEqual(newer);
    const { pairs: _p, newer: _n, gone: _g, ...others } = restoredPart(await databaseState(site.knex, dialect));
    const { pairs: _p2, ...othersBefore } = restoredPart(site.before);
    expect(others).toEqual(othersBefore);
    expect(await filesState(site.uploadsDir)).toEqual(site.beforeFiles);
  });
});
