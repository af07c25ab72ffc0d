/**
 * A backup is one consistent snapshot: while it runs, another connection keeps moving amounts
 * between rows of `accounts` (their sum never changes); the dumped rows must keep the same sum.
 * A dump reading batches outside one snapshot would see some rows before and some after a
 * transfer, and the sum would be off.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import { createBackup } from '../../server/src/engine';
import { connect, createTestDatabase, dialectsUnderTest, type TestDatabase } from '../helpers/databases';
import { readArchive, tableRows, tempDir } from '../helpers/archive';
import { waitFor } from '../helpers/wait';

const ROWS = 2000;
const START = 100;

describe.each(dialectsUnderTest())('consistent snapshot on %s', (dialect) => {
  let db: TestDatabase;
  let knex: Knex;
  let work: string;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    knex = connect(db);
    await knex.schema.createTable('accounts', (t) => {
      t.increments('id');
      t.integer('balance').notNullable();
    });
    await knex.batchInsert(
      'accounts',
      Array.from({ length: ROWS }, () => ({ balance: START })),
      500,
    );
    work = await tempDir();
  });

  afterAll(async () => {
    await knex?.destroy();
    await db?.drop();
    if (work) await fs.promises.rm(work, { recursive: true, force: true });
  });

  test('transfers during the backup never tear the dumped sum', async () => {
    const counters = { transfers: 0 };
    let stop = false;
    let stopWriter = () => {
      stop = true;
    };
    const pick = () => 1 + Math.floor(Math.random() * ROWS);
    let writer: Promise<void>;
    let closeWriter: () => Promise<void>;

    if (dialect === 'sqlite') {
      // A second connection to the same file in another thread, as another process would be (a
      // writer on this thread would only run between the dump's awaits, never truly alongside).
      const counter = new Int32Array(new SharedArrayBuffer(8)); // [transfers, stop]
      const worker = new Worker(
        `const { workerData } = require('node:worker_threads');
         const Driver = require(workerData.driver);
         const conn = new Driver(workerData.file);
         conn.pragma('busy_timeout = 5000');
         const dec = conn.prepare('update accounts set balance = balance - ? where id = ?');
         const inc = conn.prepare('update accounts set balance = balance + ? where id = ?');
         const move = conn.transaction((a, b, amount) => { dec.run(amount, a); inc.run(amount, b); });
         const c = workerData.counter;
         while (Atomics.load(c, 1) === 0) {
           // Far ends of the table: the first and the last batches of the dump.
           move(1 + Math.floor(Math.random() * 50), workerData.rows - Math.floor(Math.random() * 50), 1 + Math.floor(Math.random() * 9));
           Atomics.add(c, 0, 1);
           Atomics.wait(c, 1, 0, 1); // ~1 ms between transfers leaves the file to the readers too
         }
         conn.close();`,
        { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file: db.name, rows: ROWS, counter } },
      );
      const exited = new Promise<void>((resolve, reject) => {
        worker.on('exit', () => resolve());
        worker.on('error', reject);
      });
      Object.defineProperty(counters, 'transfers', { get: () => Atomics.load(counter, 0) });
      writer = exited;
      stopWriter = () => Atomics.store(counter, 1, 1);
      closeWriter = async () => undefined;
    } else {
      const other = connect(db);
      writer = (async () => {
        while (!stop) {
          await other.transaction(async (trx) => {
            const a = Math.random() < 0.5 ? 1 + Math.floor(Math.random() * 50) : pick();
            const b = ROWS - Math.floor(Math.random() * 50);
            const amount = 1 + Math.floor(Math.random() * 9);
            await trx('accounts').where({ id: a }).decrement('balance', amount);
            await trx('accounts').where({ id: b }).increment('balance', amount);
          });
          counters.transfers += 1;
        }
      })();
      closeWriter = () => other.destroy();
    }

    try {
      await waitFor(() => counters.transfers >= 20, 20000, 'the writer to start');
      const before = counters.transfers;
      const result = await createBackup({
        knex,
        dialect,
        includeDatabase: true,
        format: 'tar',
        outFile: path.join(work, 'snap.tar'),
        tmpDir: path.join(work, 'tmp'),
        meta: { strapiVersion: null, pluginVersion: null, profile: null },
        batchSize: 10,
      });
      const during = counters.transfers - before;
      // The writer kept committing while the backup ran (the backup blocked no writer).
      await waitFor(() => counters.transfers - before > during, 20000, 'a transfer after the backup');
      expect(during).toBeGreaterThan(0);

      const rows = tableRows(await readArchive(result.file), 'accounts');
      expect(rows).toHaveLength(ROWS);
      expect(rows.reduce((s, r) => s + (r.balance as number), 0)).toBe(ROWS * START);
      expect(rows.some((r) => r.balance !== START)).toBe(true); // transfers before the snapshot are in it
      expect(result.manifest.tables.find((t) => t.name === 'accounts')!.rows).toBe(ROWS);
    } finally {
      stopWriter();
      await writer;
      await closeWriter();
    }
    const [{ s }] = await knex('accounts').sum({ s: 'balance' });
    expect(Number(s)).toBe(ROWS * START);
  });
});
