/**
 * The dump's thread (engine/dump-thread.ts). On SQLite: the entries it writes are byte for byte
 * those of the main thread's dump of the same file, its progress adds up, an abort stops it, and a
 * failure inside it reaches the caller with its message. On MySQL it writes what the main thread
 * writes, with the backup connection's time zone (and without Strapi's MySQL typeCast), and a
 * thread that cannot connect hands the dump back to the main thread; a thread stuck on its
 * connection is terminated after a grace period. (PostgreSQL dumps without a
 * thread: pg-copy.test.ts; the snapshot's consistency on every engine: consistency.test.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { knex as createKnex, type Knex } from 'knex';
import { dumpTables, type DumpedTable } from '../../server/src/engine/db-dump';
import { withTextJson } from '../../server/src/engine/encode';
import { describeTables, listTables, type TableInfo } from '../../server/src/engine/introspect';
import { DUMP_THREAD_STOP_GRACE_MS } from '../../server/src/engine/constants';
import { dumpInThread } from '../../server/src/engine/dump-thread';
import { withSnapshot, type ThreadSource } from '../../server/src/engine/snapshot';
import { connect, createTestDatabase, dialectsUnderTest, type TestDatabase } from '../helpers/databases';
import { createExtrasSchema, createSchema } from '../helpers/schema';
import { tempDir } from '../helpers/archive';
import { waitFor } from '../helpers/wait';

let work: string;
let file: string;
let knex: Knex;
let tables: TableInfo[];

beforeAll(async () => {
  work = await tempDir();
  file = path.join(work, 'site.sqlite');
  knex = createKnex({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
  await createSchema(knex, 'sqlite'); // every value kind, composite and bigint keys
  await createBulk(knex);
  tables = await tablesOf(knex, 'sqlite');
});

async function createBulk(db: Knex): Promise<void> {
  await db.schema.createTable('bulk', (t) => {
    t.increments('id');
    t.string('v');
  });
  for (let i = 0; i < 10; i += 1) {
    await db.batchInsert(
      'bulk',
      Array.from({ length: 500 }, (_, j) => ({ v: `row ${i * 500 + j}` })),
      100,
    );
  }
}

async function tablesOf(db: Knex | Knex.Transaction, dialect: TestDatabase['dialect']): Promise<TableInfo[]> {
  return (await describeTables(db, dialect, await listTables(db, dialect))).map((t) => ({ ...t, columns: withTextJson(t.columns) }));
}

/** The thread's entries are the main thread's, file for file. */
function expectSameEntries(thread: DumpedTable[], main: DumpedTable[]): void {
  expect(entries(thread)).toEqual(entries(main));
  for (const t of thread) expect(fs.readFileSync(t.file).equals(fs.readFileSync(main.find((m) => m.name === t.name)!.file))).toBe(true);
}

afterAll(async () => {
  await knex.destroy();
  await fs.promises.rm(work, { recursive: true, force: true });
});

const entries = (dumped: DumpedTable[]) => dumped.map(({ name, rows, sha256, size }) => ({ name, rows, sha256, size }));

test('writes exactly the entries the main thread writes, and reports every row and table', async () => {
  const outDir = path.join(work, 'thread');
  const rows = new Map<string, number>();
  const finished: string[] = [];
  const dumped = await dumpInThread(
    { source: { dialect: 'sqlite', file }, tables, outDir, batchSize: 64 },
    { onRows: (t, n) => rows.set(t, (rows.get(t) ?? 0) + n), onTable: (t) => finished.push(t.name) },
  );
  const main = await dumpTables({ db: knex, dialect: 'sqlite', tables, outDir: path.join(work, 'main'), batchSize: 64 });

  if (!dumped) throw new Error('the thread did not open the copy');
  expectSameEntries(dumped, main);
  expect(dumped.find((t) => t.name === 'bulk')?.rows).toBe(5000);
  for (const t of dumped) expect(rows.get(t.name) ?? 0).toBe(t.rows);
  expect(finished).toEqual(tables.map((t) => t.name));
});

test('an abort while the thread dumps stops it (never terminated) and rejects with an AbortError', async () => {
  // Terminating a thread can land inside zlib.createGzip() and abort the whole process (Node's
  // "close before init" assertion, seen once in CI): the thread is asked to stop instead.
  const terminate = jest.spyOn(Worker.prototype, 'terminate');
  const controller = new AbortController();
  let batches = 0;
  const dumping = dumpInThread(
    { source: { dialect: 'sqlite', file }, tables: tables.filter((t) => t.name === 'bulk'), outDir: path.join(work, 'aborted'), batchSize: 10 },
    {
      signal: controller.signal,
      onRows: () => {
        batches += 1;
        if (batches === 1) controller.abort();
      },
    },
  );
  try {
    await expect(dumping).rejects.toMatchObject({ name: 'AbortError' });
    expect(terminate).not.toHaveBeenCalled();
  } finally {
    terminate.mockRestore();
  }
  // 5,000 rows in batches of 10: the thread stopped long before the end.
  expect(batches).toBeLessThan(500);
  // Nothing the thread opened stays open: else the process would keep removed staged files' disk space.
  expect(openFilesUnder(path.join(work, 'aborted'))).toEqual([]);
});

/** Files under `dir` this process holds open (Linux: /proc/self/fd). */
function openFilesUnder(dir: string): string[] {
  return fs
    .readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ''; // closed meanwhile (the readdir's own descriptor)
      }
    })
    .filter((target) => target.startsWith(dir));
}

test('a failure inside the thread rejects with its message', async () => {
  const missing: TableInfo = { ...tables.find((t) => t.name === 'bulk')!, name: 'no_such_table' };
  const failed = path.join(work, 'failed');
  await expect(dumpInThread({ source: { dialect: 'sqlite', file }, tables: [missing], outDir: failed, batchSize: 10 }, {})).rejects.toThrow(
    /no such table: no_such_table/,
  );
  const gone = path.join(work, 'gone.sqlite');
  await expect(dumpInThread({ source: { dialect: 'sqlite', file: gone }, tables, outDir: failed, batchSize: 10 }, {})).rejects.toThrow(
    /unable to open database file|does not exist/,
  );
});

/** Strapi's own typeCast for MySQL connections (@strapi/database 5.54, dialects/mysql), as the app's pool has it. */
const strapiTypeCast = (field: { type: string; length: number; string(): string | null }, next: () => unknown) => {
  if (field.type === 'DECIMAL' || field.type === 'NEWDECIMAL') {
    const value = field.string();
    return value === null ? null : Number(value);
  }
  if (field.type === 'TINY' && field.length === 1) {
    const value = field.string();
    return value ? value === '1' : null;
  }
  if (field.type === 'DATE') return field.string();
  return next();
};

/** The session time zone of the app's connections, set per connection as a pool hook would. */
const ZONE = '+05:45';

describe.each(dialectsUnderTest(['mysql']))('the dump thread on %s', (dialect) => {
  let db: TestDatabase;
  let site: Knex;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    // The backup's connections have a time zone of their own, and Strapi's typeCast: the thread's
    // connection must take the zone, and read the same values without the function, or the
    // entries differ.
    const afterCreate = (conn: { query: (sql: string, done: (error: Error | null) => void) => void }, done: (error: Error | null, conn: unknown) => void) =>
      conn.query(`SET time_zone = '${ZONE}'`, (error) => done(error, conn));
    const connection = { ...(db.knexConfig.connection as object), typeCast: strapiTypeCast };
    site = connect(db, { connection, pool: { min: 0, max: 5, afterCreate } });
    await createSchema(site, dialect);
    await createExtrasSchema(site, dialect);
    await createBulk(site);
  });

  afterAll(async () => {
    await site?.destroy();
    await db?.drop();
  });

  /** Dumps every table from the thread, then from the main thread, in one snapshot of `site`. */
  async function dumpBoth(name: string): Promise<[DumpedTable[], DumpedTable[]]> {
    const [fromThread, fromMain] = await withSnapshot(site, dialect, work, async (trx, thread) => {
      expect(thread).toMatchObject({ dialect, timeZone: ZONE });
      expect(thread).not.toHaveProperty('connection.typeCast');
      const infos = await tablesOf(trx, dialect);
      const threadDump = await dumpInThread({ source: thread!, tables: infos, outDir: path.join(work, `${name}-thread`), batchSize: 64 }, {});
      const mainDump = await dumpTables({ db: trx, dialect, tables: infos, outDir: path.join(work, `${name}-main`), batchSize: 64 });
      return [threadDump, mainDump];
    });
    if (!fromThread) throw new Error('the thread did not open the snapshot');
    return [fromThread, fromMain];
  }

  test('writes what the main thread writes, with the backup connection settings', async () => {
    const [fromThread, fromMain] = await dumpBoth(`${dialect}-same`);
    expectSameEntries(fromThread, fromMain);
    expect(fromThread.find((t) => t.name === 'bulk')?.rows).toBe(5000);
    expect(fromThread.map((t) => t.name)).toEqual(expect.arrayContaining(['bulk', 'extras', 'jsons']));
  });

  test('a thread that cannot connect writes nothing and hands the dump back', async () => {
    await withSnapshot(site, dialect, work, async (trx, thread) => {
      const source = { ...thread!, connection: { ...(thread as Extract<ThreadSource, { connection: object }>).connection, port: 1 } };
      const outDir = path.join(work, `${dialect}-unopened`);
      await expect(dumpInThread({ source, tables: await tablesOf(trx, dialect), outDir, batchSize: 64 }, {})).resolves.toBeNull();
      expect(fs.existsSync(outDir)).toBe(false);
    });
  });

  test('a thread that connects but cannot take a setting hands the dump back, and ends', async () => {
    // A time zone the server does not know. The thread's transaction is open when the statement
    // fails: it must end it, or its pool waits for the connection forever and the thread never answers.
    await withSnapshot(site, dialect, work, async (trx, thread) => {
      const broken = { ...thread!, timeZone: 'Nowhere/Nothing' };
      const outDir = path.join(work, `${dialect}-refused`);
      await expect(dumpInThread({ source: broken as ThreadSource, tables: await tablesOf(trx, dialect), outDir, batchSize: 64 }, {})).resolves.toBeNull();
      expect(fs.existsSync(outDir)).toBe(false);
    });
  });

  test('a thread stuck on its connection is terminated once the grace period is over', async () => {
    const terminate = jest.spyOn(Worker.prototype, 'terminate');
    const locker = await site.client.acquireConnection();
    try {
      await site.raw('lock tables bulk write').connection(locker);
      await withSnapshot(site, dialect, work, async (trx, thread) => {
        const bulk = (await tablesOf(trx, dialect)).filter((t) => t.name === 'bulk');
        const controller = new AbortController();
        const dumping = dumpInThread(
          { source: thread!, tables: bulk, outDir: path.join(work, `${dialect}-stuck`), batchSize: 64 },
          { signal: controller.signal },
        );
        dumping.catch(() => undefined);
        // Its read of bulk waits for the lock: it cannot see the request to stop.
        const waiting = async () => {
          const [[{ n }]] = await site.raw("select count(*) as n from information_schema.processlist where state = 'Waiting for table metadata lock'");
          return Number(n) > 0;
        };
        await waitFor(waiting, 20000, 'the thread waiting for the lock');
        const asked = Date.now();
        controller.abort();
        await expect(dumping).rejects.toMatchObject({ name: 'AbortError' });
        expect(terminate).toHaveBeenCalledTimes(1);
        expect(Date.now() - asked).toBeGreaterThanOrEqual(DUMP_THREAD_STOP_GRACE_MS - 50);
      });
    } finally {
      terminate.mockRestore();
      await site.raw('unlock tables').connection(locker);
      await site.client.releaseConnection(locker);
    }
  });

  test('connection settings a thread cannot take (a function) leave the dump on the main thread', async () => {
    const fromFunction = connect(db, { connection: () => ({ ...(db.knexConfig.connection as object) }) });
    try {
      await withSnapshot(fromFunction, dialect, work, async (_trx, thread) => expect(thread).toBeNull());
    } finally {
      await fromFunction.destroy();
    }
  });
});
