/**
 * PostgreSQL's dump (engine/pg-copy.ts): one COPY per table, each row's JSON built by the server.
 * The values are encode.ts's (text forms, base64 without PostgreSQL's line breaks, JSON numbers),
 * every character of a string survives the JSON and the CSV framing, progress adds up to the rows,
 * and a dump that stops early (an abort) has the server cancel its COPY and reads what was still
 * sent, so the backup's transaction can end on its connection. A restore loads the same values
 * back with COPY FROM.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { dumpTables } from '../../server/src/engine/db-dump';
import { withTextJson } from '../../server/src/engine/encode';
import { copyRows } from '../../server/src/engine/pg-copy';
import { PG_COPY_READ_TIMEOUT_MS } from '../../server/src/engine/constants';
import { describeTables, listTables, type TableInfo } from '../../server/src/engine/introspect';
import { withSnapshot } from '../../server/src/engine/snapshot';
import { checkArchive, createBackup, restoreArchive } from '../../server/src/engine';
import { connect, createTestDatabase, dialectsUnderTest, type TestDatabase } from '../helpers/databases';
import { craftArchive, setTableRows, tempDir } from '../helpers/archive';

// Every control character JSON must escape, the characters JSON and CSV give a meaning, and
// characters outside ASCII and the BMP.
const TEXT = `a"b\\c,d'e${Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('')}\u2028\u2029é😀`;
// Longer than the 57 bytes after which PostgreSQL's base64 breaks lines.
const BYTES = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37) % 256));
const ODD = 'we "ird", name';

describe.each(dialectsUnderTest(['postgres']))('the COPY dump on %s', (dialect) => {
  let db: TestDatabase;
  let knex: Knex;
  let work: string;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    knex = connect(db);
    work = await tempDir();
    await knex.raw(`create table "odd" (
      id serial primary key, ${knex.raw('??', [ODD]).toQuery()} text, r integer, bin bytea, f8 double precision, f4 real,
      big bigint, dec numeric(30, 10), flag boolean, doc jsonb, raw json, ts timestamptz, arr int[], span interval)`);
    await knex('odd').insert([
      {
        [ODD]: TEXT,
        r: 7,
        bin: BYTES,
        f8: 0.00001,
        f4: 1.1,
        big: '-9223372036854775808',
        dec: '12345678901234567890.0123456789',
        flag: true,
        doc: JSON.stringify({ b: [1, 'x'], a: null }),
        raw: '{ "kept" :  [1,2] }',
        ts: '2024-05-01 10:20:30.123456+00',
        arr: knex.raw(`'{1,2,3}'`),
        span: '1 day 02:03:04',
      },
      { [ODD]: '', bin: Buffer.alloc(0), f8: 1e300, f4: null, big: '9007199254740993', dec: '-0.5', flag: false, doc: '"123"', raw: 'null' },
      { f8: Number.NaN },
      { f8: Number.NEGATIVE_INFINITY },
    ]);
    await knex.raw(`create table "many" (id integer primary key, v text)`);
    await knex.raw(`insert into "many" select i, repeat('x', 100) || i from generate_series(1, 200000) as i`);
  });

  afterAll(async () => {
    await knex?.destroy();
    await db?.drop();
    if (work) await fs.promises.rm(work, { recursive: true, force: true });
  });

  async function tablesOf(trx: Knex.Transaction, names: string[]): Promise<TableInfo[]> {
    return (await describeTables(trx, 'postgres', names)).map((t) => ({ ...t, columns: withTextJson(t.columns) }));
  }

  /** A database-only backup of the test database without the `exclude` tables. */
  const backupOf = (k: Knex, name: string, exclude: string[]) =>
    createBackup({
      knex: k,
      dialect,
      includeDatabase: true,
      excludeTables: exclude,
      uploadsDir: null,
      projectDir: null,
      format: 'tar',
      outFile: path.join(work, `${name}.tar`),
      tmpDir: path.join(work, `tmp-${name}`),
      meta: { strapiVersion: null, pluginVersion: null, profile: null },
    });

  /**
   * Runs `work`; returns how many read-timeout timers pg started for its COPYs, and how many of
   * them it left running (each a 24-day timer holding the process open).
   */
  async function copyTimers(work: () => Promise<unknown>): Promise<{ started: number; left: number }> {
    const set = jest.spyOn(global, 'setTimeout');
    const clear = jest.spyOn(global, 'clearTimeout');
    try {
      await work();
      const cleared = new Set(clear.mock.calls.map(([timer]) => timer));
      const timers = set.mock.calls.flatMap(([, ms], i) => (ms === PG_COPY_READ_TIMEOUT_MS ? [set.mock.results[i].value] : []));
      return { started: timers.length, left: timers.filter((timer) => !cleared.has(timer)).length };
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
  }

  const lines = (file: string) => zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');

  test('writes encode.ts’s values, one line per row in key order, and reports every row', async () => {
    const reported = new Map<string, number>();
    const dumped = await knex.transaction(async (trx) => {
      await trx.raw(`set local time zone 'UTC'`);
      expect(await listTables(trx, 'postgres')).toEqual(expect.arrayContaining(['odd', 'many']));
      return dumpTables({
        db: trx,
        dialect: 'postgres',
        tables: await tablesOf(trx, ['odd', 'many']),
        outDir: path.join(work, 'values'),
        batchSize: 1000,
        onRows: (t, n) => reported.set(t, (reported.get(t) ?? 0) + n),
      });
    });
    const odd = lines(dumped[0].file);
    expect(odd.pop()).toBe(''); // every line ends with its newline
    expect(odd.map((l) => JSON.parse(l))).toEqual([
      {
        id: 1,
        [ODD]: TEXT,
        r: 7,
        bin: BYTES.toString('base64'),
        f8: 0.00001,
        f4: 1.1,
        big: '-9223372036854775808',
        dec: '12345678901234567890.0123456789',
        flag: true,
        doc: '{"a": null, "b": [1, "x"]}',
        raw: '{ "kept" :  [1,2] }',
        ts: '2024-05-01 10:20:30.123456+00',
        arr: '{1,2,3}',
        span: '1 day 02:03:04',
      },
      {
        id: 2,
        [ODD]: '',
        r: null,
        bin: '',
        f8: 1e300,
        f4: null,
        big: '9007199254740993',
        dec: '-0.5000000000',
        flag: false,
        doc: '"123"',
        raw: 'null',
        ts: null,
        arr: null,
        span: null,
      },
      expect.objectContaining({ id: 3, f8: 'NaN', bin: null, [ODD]: null, doc: null }),
      expect.objectContaining({ id: 4, f8: '-Infinity' }),
    ]);
    // Keys in the table's column order, as the other engines write them.
    expect(Object.keys(JSON.parse(odd[0]))).toEqual(['id', ODD, 'r', 'bin', 'f8', 'f4', 'big', 'dec', 'flag', 'doc', 'raw', 'ts', 'arr', 'span']);
    const many = lines(dumped[1].file);
    expect(many).toHaveLength(200001);
    expect(JSON.parse(many[199999])).toEqual({ id: 200000, v: `${'x'.repeat(100)}200000` });
    expect(dumped.map((t) => [t.name, t.rows])).toEqual([
      ['odd', 4],
      ['many', 200000],
    ]);
    expect(Object.fromEntries(reported)).toEqual({ odd: 4, many: 200000 });
  });

  test('an abort mid-COPY rejects at once: the server cancels the COPY, and the connection is free', async () => {
    expect(await copyTimers(abortMidCopy)).toEqual({ started: 1, left: 0 });
  });

  async function abortMidCopy() {
    const controller = new AbortController();
    let reports = 0;
    const trx = await knex.transaction();
    const dumping = dumpTables({
      db: trx,
      dialect: 'postgres',
      tables: await tablesOf(trx, ['many']),
      outDir: path.join(work, 'aborted'),
      batchSize: 1000,
      signal: controller.signal,
      onRows: () => {
        reports += 1;
        controller.abort();
      },
    });
    await expect(dumping).rejects.toMatchObject({ name: 'AbortError' });
    // Stopped at the first report, not after the table.
    expect(reports).toBe(1);
    // The server cancelled the COPY (it was not read through to its end): the transaction failed
    // there, and its connection answers.
    await expect(trx.raw('select 1')).rejects.toThrow(/current transaction is aborted/);
    await trx.rollback();
    await expect(knex.raw('select count(*)::int as n from "many"')).resolves.toMatchObject({ rows: [{ n: 200000 }] });
  }

  test('a COPY the server refuses rejects with its message, and the connection is free again', async () => {
    const trx = await knex.transaction();
    const [many] = await tablesOf(trx, ['many']);
    const missing = { ...many, name: 'no_such_table' };
    await expect(dumpTables({ db: trx, dialect: 'postgres', tables: [missing], outDir: path.join(work, 'refused'), batchSize: 1000 })).rejects.toThrow(
      /relation "no_such_table" does not exist/,
    );
    await trx.rollback();
    await expect(knex.raw('select 1 as one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  test('the backup’s transaction lifts statement_timeout for its COPYs, and only for itself', async () => {
    type Conn = { query: (sql: string, done: (error: Error | null) => void) => void };
    const afterCreate = (conn: Conn, done: (error: Error | null, conn: Conn) => void) => conn.query('SET statement_timeout = 50', (error) => done(error, conn));
    const strict = connect(db, { pool: { min: 0, max: 1, afterCreate } });
    const timeout = async (q: Knex | Knex.Transaction) => (await q.raw('show statement_timeout')).rows[0].statement_timeout;
    try {
      await withSnapshot(strict, 'postgres', work, async (trx) => expect(await timeout(trx as Knex.Transaction)).toBe('0'));
      expect(await timeout(strict)).toBe('50ms');
    } finally {
      await strict.destroy();
    }
  });

  test('a restore loads the same values back through COPY FROM, byte for byte as PostgreSQL prints them', async () => {
    const rows = async () => (await knex.raw(`select o::text as row from "odd" o order by id`)).rows.map((r: { row: string }) => r.row);
    const before = await rows();
    const backup = await backupOf(knex, 'odd', ['many']);
    await knex('odd').update({ [ODD]: 'changed', bin: null });
    await knex('odd').insert({ r: 1 });
    const check = await checkArchive(backup.file, { knex, dialect, keepTables: ['many'] });
    expect(check.errors).toEqual([]);
    // Two rows per batch: the COPY spans several writes.
    const restored = await restoreArchive({ knex, dialect, file: backup.file, manifest: check.manifest!, keepTables: ['many'], batchSize: 2 });
    expect(restored.tables).toEqual({ odd: 4 });
    expect(await rows()).toEqual(before);
    expect(before.join('\n')).toContain('\\\\c'); // the backslash went through COPY's escaping
  });

  test('a server error while later rows are still on their way fails the load cleanly, naming its row', async () => {
    // 200,000 narrow rows in batches of 50: the server reports row 2's duplicate key while later
    // batches are on their way and the entry is far from read (it read "The operation was aborted"
    // before table-load kept its own error). copyIn's destroy on error (pg-copy-streams#171) comes
    // from reading that code: this test did not make the crash happen here.
    const source = await backupOf(knex, 'many', ['odd']);
    const file = path.join(work, 'many-duplicate.tar');
    await craftArchive(source.file, file, (e) => setTableRows(e, 'many', (rows) => [rows[0], rows[0], ...rows.slice(1)]));
    const check = await checkArchive(file, { knex, dialect, keepTables: ['odd'] });
    expect(check.errors).toEqual([]);
    await knex('many').where('id', 1).update({ v: 'kept' });
    await expect(restoreArchive({ knex, dialect, file, manifest: check.manifest!, keepTables: ['odd'], batchSize: 50 })).rejects.toThrow(
      /^loading many failed in the rows up to row 2: duplicate key value violates unique constraint/,
    );
    await expect(knex.raw(`select count(*)::int as n, max(v) filter (where id = 1) as v from "many"`)).resolves.toMatchObject({
      rows: [{ n: 200000, v: 'kept' }],
    });
  });

  test('a client-side query_timeout (a site may set one) does not cut a COPY, either way, and ends with it', async () => {
    const impatient = connect(db, { connection: { ...(db.knexConfig.connection as object), query_timeout: 50 } });
    try {
      // The backup reads "many" and the restore loads it, each one COPY well over 50 ms. Each
      // COPY's timer ends with it: copy-to's was left running (pg-copy-streams#156), and jest,
      // holding 2,000 of them after the whole suite, never exited.
      const timers = await copyTimers(async () => {
        const backup = await backupOf(impatient, 'impatient', ['odd']);
        const check = await checkArchive(backup.file, { knex: impatient, dialect, keepTables: ['odd'] });
        const restored = await restoreArchive({ knex: impatient, dialect, file: backup.file, manifest: check.manifest!, keepTables: ['odd'] });
        expect(restored.tables).toEqual({ many: 200000 });
      });
      expect(timers).toEqual({ started: 2, left: 0 });
    } finally {
      await impatient.destroy();
    }
  });
});

test('copyRows: COPY text format for every value the load gives PostgreSQL', () => {
  const rows = [
    [1, null, 'a\\b\tc\nd\re', '\\N', true, false, Buffer.from([0, 15, 255]), -0, 1e-5, 'NaN', { a: [1, '\t'] }],
    [2, '', 'plain', 'é😀', null, null, Buffer.alloc(0), 1e300, -2.5, '-Infinity', null],
  ];
  expect(copyRows(rows)).toBe(
    '1\t\\N\ta\\\\b\\tc\\nd\\re\t\\\\N\tt\tf\t\\\\x000fff\t-0\t0.00001\tNaN\t{"a":[1,"\\\\t"]}\n' +
      '2\t\tplain\té😀\t\\N\t\\N\t\\\\x\t1e+300\t-2.5\t-Infinity\t\\N\n',
  );
});
