/**
 * MySQL/MariaDB restores load into new tables and swap them in (engine/swap-load.ts). The tables
 * after a restore must be the tables before it, definition for definition (keys, indexes,
 * AUTO_INCREMENT counters, the keys of kept tables), holding the archive's rows; and a process
 * that stops at any step leaves what `finishInterruptedSwap` (run at boot and by the failsafe)
 * finishes or removes, never while a restore holds the swap's lock.
 */
import type { Knex } from 'knex';
import * as constants from '../../server/src/engine/constants';
import { RestoreFailedError, finishInterruptedSwap, restoreArchive } from '../../server/src/engine';
import * as swapLoad from '../../server/src/engine/swap-load';
import { dialectsUnderTest } from '../helpers/databases';
import { databaseState } from '../helpers/site-state';
import { changeSite, expectNothingChanged, failStatement, restoreOptions, restoredPart, takeBackup, useRestoreSite } from '../helpers/restore-site';

/**
 * `SHOW CREATE TABLE` of every table, swap tables included: keys, indexes and counters show. Lines
 * sorted: CREATE TABLE LIKE lists the secondary indexes in another order, the same indexes.
 */
async function schemaState(knex: Knex): Promise<Record<string, string>> {
  const [tables] = await knex.raw("select table_name as t from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'");
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const [[row]] = await knex.raw('show create table ??', [t]);
    out[t] = String(row['Create Table'])
      .split('\n')
      .map((line) => line.replace(/,$/, ''))
      .sort()
      .join('\n');
  }
  return out;
}

const swapTables = async (knex: Knex) => Object.keys(await schemaState(knex)).filter((t) => /__bk_(new|old)$/.test(t));

describe.each(dialectsUnderTest(['mysql']))('restore by table swap on %s', (dialect) => {
  const site = useRestoreSite(dialect, 'restore_swap');

  afterEach(() => jest.restoreAllMocks());

  test('the swapped-in tables are defined as before, hold the archive, and the kept tables point at them', async () => {
    await changeSite(site);
    await site.knex('plugin_records').insert({ status: 'referencing', author_id: 2 });
    const schema = await schemaState(site.knex);
    const swapIn = jest.spyOn(swapLoad, 'swapIn');
    await restoreArchive(restoreOptions(site));
    expect(swapIn).toHaveBeenCalledTimes(1);
    expect(restoredPart(await databaseState(site.knex, dialect))).toEqual(restoredPart(site.before));
    // Definitions identical, AUTO_INCREMENT included: changeSite's inserts raised the counters,
    // and a restore never lowers them. `plugin_records` keeps its key into `authors`.
    expect(await schemaState(site.knex)).toEqual(schema);
    expect(await site.knex('plugin_records').where({ status: 'referencing' }).first()).toMatchObject({ author_id: null });
    expect(schema.plugin_records).toMatch(/REFERENCES `authors` \(`id`\) ON DELETE SET NULL/);
    // Its references were cleared as ON DELETE SET NULL says (every authors row was replaced).
    const [[{ n }]] = await site.knex.raw('select count(*) as n from plugin_records where author_id is not null');
    expect(Number(n)).toBe(0);
  });

  test('stopped at any statement of the swap: nothing changed before its RENAME; after it, finishInterruptedSwap finishes it', async () => {
    const schema = await schemaState(site.knex);
    const outcomes: string[] = [];
    // Every statement that changes a definition, from the first counter raised to the last key.
    const swapStatement = /^(alter table|rename table|drop table `|update )/;
    for (let skip = 0; ; skip += 1) {
      await changeSite(site);
      const changed = await databaseState(site.knex, dialect);
      const stop = failStatement(site.knex, swapStatement, 'process stopped', skip);
      const failure = await restoreArchive(restoreOptions(site)).then(
        () => null,
        (err: unknown) => err as RestoreFailedError,
      );
      stop.restore();
      if (!failure) break; // past the last statement: the sweep is over
      expect(failure).toBeInstanceOf(RestoreFailedError);
      if (failure.databaseRestored) {
        expect(failure.message).toMatch(/The database was restored, but its foreign keys could not all be put back .*process stopped.*next start/);
        expect(restoredPart(await databaseState(site.knex, dialect))).toEqual(restoredPart(site.before));
        const { finished, dropped } = await finishInterruptedSwap(site.knex);
        expect(finished.length).toBeGreaterThan(0);
        expect(dropped).toEqual([]);
        outcomes.push('restored');
      } else {
        expect(failure.message).toMatch(/could not be swapped in \(process stopped\); nothing was changed/);
        expect(await databaseState(site.knex, dialect)).toEqual(changed);
        outcomes.push('unchanged');
      }
      expect(await swapTables(site.knex)).toEqual([]);
      expect(await finishInterruptedSwap(site.knex)).toEqual({ finished: [], dropped: [] });
      // The counters may have been raised by changeSite's inserts; every definition else is the same.
      const withoutCounters = (state: Record<string, string>) =>
        Object.fromEntries(Object.entries(state).map(([t, d]) => [t, d.replace(/ AUTO_INCREMENT=\d+/, '')]));
      expect(withoutCounters(await schemaState(site.knex))).toEqual(withoutCounters(schema));
    }
    // Stops before the RENAME and after it, each seen more than once.
    expect(outcomes.filter((o) => o === 'unchanged').length).toBeGreaterThan(3);
    expect(outcomes.filter((o) => o === 'restored').length).toBeGreaterThan(3);
  }, 120000);

  test('new tables left by a stopped load are dropped, but not while a restore holds the lock', async () => {
    await site.knex.raw('create table items__bk_new like items');
    const holder = await (site.knex.client as any).acquireConnection();
    const lock = "concat('strapi-plugin-backup swap ', md5(database()))";
    try {
      await site.knex.raw(`select get_lock(${lock}, 0)`).connection(holder);
      expect(await finishInterruptedSwap(site.knex)).toEqual({ finished: [], dropped: [] });
      expect(await swapTables(site.knex)).toEqual(['items__bk_new']);
      await site.knex.raw(`select release_lock(${lock})`).connection(holder);
      expect(await finishInterruptedSwap(site.knex)).toEqual({ finished: [], dropped: ['items__bk_new'] });
      expect(await swapTables(site.knex)).toEqual([]);
    } finally {
      await (site.knex.client as any).releaseConnection(holder);
    }
  });

  test('a transaction of another client holding a table past the wait fails the restore, nothing changed', async () => {
    jest.replaceProperty(constants as { SWAP_LOCK_WAIT_SECONDS: number }, 'SWAP_LOCK_WAIT_SECONDS', 1);
    await changeSite(site);
    const trx = await site.knex.transaction();
    try {
      await trx('items').select('id'); // holds the table's metadata lock until the transaction ends
      await expectNothingChanged(site, () => restoreArchive(restoreOptions(site)), /held them for more than 1 s\); nothing was changed/);
    } finally {
      await trx.rollback();
    }
    expect(await swapTables(site.knex)).toEqual([]);
  });

  test('a table whose name would pass 64 characters with the suffix is restored in place, and the rest with it', async () => {
    const long = `t${'x'.repeat(56)}`; // 57 + 8 > 64
    await site.knex.schema.createTable(long, (t) => {
      t.increments('id');
      t.integer('item_id').unsigned();
      t.foreign('item_id', 'long_item_fk').references('items.id');
    });
    try {
      await site.knex(long).insert([{ item_id: 1 }, { item_id: 2 }]);
      const backup = await takeBackup(site, 'long.tar', 'tar');
      const state = await databaseState(site.knex, dialect);
      await changeSite(site);
      await site.knex(long).where({ id: 2 }).del();
      const swapIn = jest.spyOn(swapLoad, 'swapIn');
      await restoreArchive(restoreOptions(site, { file: backup.file, manifest: backup.manifest }));
      expect(swapIn).not.toHaveBeenCalled();
      expect(restoredPart(await databaseState(site.knex, dialect))).toEqual(restoredPart(state));
    } finally {
      await site.knex.schema.dropTable(long);
    }
  });
});
