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
import { waitFor } from '../helpers/wait';
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

  /** Keys under a second name, on any table (none is left once a swap is finished). */
  const secondNames = async () => {
    const [rows] = await site.knex.raw('select constraint_name as n from information_schema.referential_constraints where constraint_schema = database()');
    return rows.map((r: { n: string }) => r.n).filter((n: string) => n.endsWith('__bk_fk'));
  };
  // Every statement that changes a definition, from the first counter raised to the last key.
  const swapStatement = /^(alter table|rename table|drop table `|update )/;

  test.each([
    ['fails (the restore cleans up itself)', false],
    ['stops the process (nothing of the restore runs after it)', true],
  ])(
    'a swap whose statement %s, at each statement in turn: unchanged before the RENAME, finished after it',
    async (_, stop) => {
      const schema = await schemaState(site.knex);
      const outcomes: string[] = [];
      for (let skip = 0; ; skip += 1) {
        await changeSite(site);
        const changed = await databaseState(site.knex, dialect);
        const watch = failStatement(site.knex, swapStatement, 'process stopped', { skip, stop });
        const failure = await restoreArchive(restoreOptions(site)).then(
          () => null,
          (err: unknown) => err as RestoreFailedError,
        );
        watch.restore();
        if (!failure) break; // past the last statement: the sweep is over
        const renamed = watch.ran.some((sql) => sql.startsWith('rename table'));
        if (!stop) {
          expect(failure).toBeInstanceOf(RestoreFailedError);
          expect(failure.databaseRestored).toBe(renamed);
          expect(failure.message).toMatch(
            renamed
              ? /The database was restored, but its foreign keys could not all be put back .*process stopped.*next start/
              : /could not be swapped in \(process stopped\); nothing was changed/,
          );
        }
        // What the next boot (or the failsafe) does; the stopped process's lock goes with its
        // connection, which the pool discards.
        await waitFor(
          async () => {
            await finishInterruptedSwap(site.knex);
            return (await swapTables(site.knex)).length === 0 && (await secondNames()).length === 0;
          },
          10000,
          'the swap to be finished or cleared',
        );
        if (renamed) expect(restoredPart(await databaseState(site.knex, dialect))).toEqual(restoredPart(site.before));
        else expect(await databaseState(site.knex, dialect)).toEqual(changed);
        outcomes.push(renamed ? 'restored' : 'unchanged');
        // The counters may have been raised by changeSite's inserts; every definition else is the same.
        const withoutCounters = (state: Record<string, string>) =>
          Object.fromEntries(Object.entries(state).map(([t, d]) => [t, d.replace(/ AUTO_INCREMENT=\d+/, '')]));
        expect(withoutCounters(await schemaState(site.knex))).toEqual(withoutCounters(schema));
      }
      // Stops before the RENAME and after it, each seen more than once.
      expect(outcomes.filter((o) => o === 'unchanged').length).toBeGreaterThan(3);
      expect(outcomes.filter((o) => o === 'restored').length).toBeGreaterThan(3);
    },
    180000,
  );

  test('keys of every shape come back as they were: unnamed, multi-column with ON UPDATE, self, between restored tables, from a kept table', async () => {
    const ddl = [
      'create table shape_parent (a int not null, b varchar(10) not null, note varchar(20), primary key (a, b))',
      `create table shape_child (id int not null auto_increment primary key, pa int, pb varchar(10), up int,
         key shape_child_p (pa, pb), key shape_child_up (up),
         foreign key (pa, pb) references shape_parent (a, b) on update cascade on delete set null,
         foreign key (up) references shape_child (id))`,
      'alter table plugin_profiles add column shape_id int null, add key plugin_profiles_shape (shape_id), add foreign key (shape_id) references shape_child (id) on delete set null',
    ];
    for (const sql of ddl) await site.knex.raw(sql);
    try {
      await site.knex('shape_parent').insert([
        { a: 1, b: 'x', note: 'one' },
        { a: 2, b: 'y', note: 'two' },
      ]);
      await site.knex('shape_child').insert([
        { pa: 1, pb: 'x', up: null },
        { pa: 2, pb: 'y', up: 1 },
      ]);
      const shapes = await takeBackup(site, 'shapes.tar', 'tar');
      const state = await databaseState(site.knex, dialect);
      await site.knex('plugin_profiles').update({ shape_id: 2 });
      await site.knex('shape_child').where({ id: 2 }).update({ up: null });
      await site.knex('shape_parent').where({ a: 2 }).update({ a: 3 }); // cascades into shape_child
      await site.knex('shape_child').insert({ pa: 1, pb: 'x', up: 2 });
      const schema = await schemaState(site.knex);
      expect(schema.shape_child).toMatch(
        /CONSTRAINT `shape_child_ibfk_1` FOREIGN KEY \(`pa`, `pb`\) REFERENCES `shape_parent` \(`a`, `b`\) ON DELETE SET NULL ON UPDATE CASCADE/,
      );
      expect(schema.plugin_profiles).toMatch(
        /CONSTRAINT `plugin_profiles_ibfk_1` FOREIGN KEY \(`shape_id`\) REFERENCES `shape_child` \(`id`\) ON DELETE SET NULL/,
      );
      const swapIn = jest.spyOn(swapLoad, 'swapIn');
      await restoreArchive(restoreOptions(site, { file: shapes.file, manifest: shapes.manifest }));
      expect(swapIn).toHaveBeenCalledTimes(1);
      expect(await schemaState(site.knex)).toEqual(schema);
      expect(restoredPart(await databaseState(site.knex, dialect))).toEqual(restoredPart(state));
      expect(await site.knex('plugin_profiles').whereNotNull('shape_id').count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await site.knex.raw('alter table plugin_profiles drop foreign key plugin_profiles_ibfk_1, drop column shape_id');
      await site.knex.raw('drop table shape_child, shape_parent');
    }
  });

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
