/**
 * The SQLite dump's thread (engine/sqlite-dump.ts): the entries it writes are byte for byte those
 * of the main thread's dump of the same file, its progress adds up, an abort stops it, and a
 * failure inside it reaches the caller with its message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { knex as createKnex, type Knex } from 'knex';
import { dumpTables, type DumpedTable } from '../../server/src/engine/db-dump';
import { withTextJson } from '../../server/src/engine/encode';
import { describeTables, listTables, type TableInfo } from '../../server/src/engine/introspect';
import { dumpSqliteInWorker } from '../../server/src/engine/sqlite-dump';
import { createSchema } from '../helpers/schema';
import { tempDir } from '../helpers/archive';

let work: string;
let file: string;
let knex: Knex;
let tables: TableInfo[];

beforeAll(async () => {
  work = await tempDir();
  file = path.join(work, 'site.sqlite');
  knex = createKnex({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
  await createSchema(knex, 'sqlite'); // every value kind, composite and bigint keys
  await knex.schema.createTable('bulk', (t) => {
    t.increments('id');
    t.string('v');
  });
  for (let i = 0; i < 10; i += 1) {
    await knex.batchInsert(
      'bulk',
      Array.from({ length: 500 }, (_, j) => ({ v: `row ${i * 500 + j}` })),
      100,
    );
  }
  tables = (await describeTables(knex, 'sqlite', await listTables(knex, 'sqlite'))).map((t) => ({ ...t, columns: withTextJson(t.columns) }));
});

afterAll(async () => {
  await knex.destroy();
  await fs.promises.rm(work, { recursive: true, force: true });
});

const entries = (dumped: DumpedTable[]) => dumped.map(({ name, rows, sha256, size }) => ({ name, rows, sha256, size }));

test('writes exactly the entries the main thread writes, and reports every row and table', async () => {
  const outDir = path.join(work, 'thread');
  const rows = new Map<string, number>();
  const finished: string[] = [];
  const dumped = await dumpSqliteInWorker(
    { file, tables, outDir, batchSize: 64 },
    { onRows: (t, n) => rows.set(t, (rows.get(t) ?? 0) + n), onTable: (t) => finished.push(t.name) },
  );
  const main = await dumpTables({ db: knex, dialect: 'sqlite', tables, outDir: path.join(work, 'main'), batchSize: 64 });

  expect(entries(dumped)).toEqual(entries(main));
  expect(dumped.find((t) => t.name === 'bulk')?.rows).toBe(5000);
  for (const t of dumped) {
    expect(fs.readFileSync(t.file).equals(fs.readFileSync(main.find((m) => m.name === t.name)!.file))).toBe(true);
    expect(rows.get(t.name) ?? 0).toBe(t.rows);
  }
  expect(finished).toEqual(tables.map((t) => t.name));
});

test('an abort while the thread dumps rejects with an AbortError', async () => {
  const controller = new AbortController();
  let batches = 0;
  const dumping = dumpSqliteInWorker(
    { file, tables: tables.filter((t) => t.name === 'bulk'), outDir: path.join(work, 'aborted'), batchSize: 10 },
    {
      signal: controller.signal,
      onRows: () => {
        batches += 1;
        if (batches === 1) controller.abort();
      },
    },
  );
  await expect(dumping).rejects.toMatchObject({ name: 'AbortError' });
  // 5,000 rows in batches of 10: the thread stopped long before the end.
  expect(batches).toBeLessThan(500);
});

test('a failure inside the thread rejects with its message', async () => {
  const missing: TableInfo = { ...tables.find((t) => t.name === 'bulk')!, name: 'no_such_table' };
  await expect(dumpSqliteInWorker({ file, tables: [missing], outDir: path.join(work, 'failed'), batchSize: 10 }, {})).rejects.toThrow(
    /no such table: no_such_table/,
  );
  await expect(dumpSqliteInWorker({ file: path.join(work, 'gone.sqlite'), tables, outDir: path.join(work, 'failed'), batchSize: 10 }, {})).rejects.toThrow(
    /unable to open database file|does not exist/,
  );
});
