/**
 * A large SQLite site under write load: a 1M-row (~180 MB) database; the app writing through its
 * own connection, and another process of the site writing the same file; rounds of three backups
 * at once (three profiles). Every backup completes, no query of the site fails with "database is
 * locked", and every archive holds one instant of the database.
 *
 * Before the fix, every write between two steps of SQLite's backup API restarted the copy, so under
 * these writers a copy did not end (17 s to 10 min measured, its thread spinning a core), and the
 * copies' long steps held the read lock while writers queued behind it: in each of two runs the
 * app's own query failed with "database is locked" in the first round (and a job was called lost).
 *
 * SQLite only: on PostgreSQL and MariaDB the snapshot is one REPEATABLE READ transaction, which
 * never blocks writers (tests/unit/consistency.test.ts covers it under a writer on all three).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import { copySqlite } from '../../server/src/engine/sqlite-copy';
import { readArchive, tableRows } from '../helpers/archive';
import { waitFor } from '../helpers/wait';
import { createTestApp, type TestApp, servicesOf } from '../helpers/strapi-app';

const BULK_ROWS = 1_000_000;
const ACCOUNTS = 100;
const START = 1000;
const ROUNDS = 3;
const PROFILES = 3;
/**
 * Rounds took 4–18 s with the fix, 7–27 s on an idle machine since (the writers slow the whole
 * app), and 30–62 s in a full CI run: the deadline only says no copy hangs.
 */
const ROUND_DEADLINE_MS = 120_000;
const FINAL = ['completed', 'failed', 'cancelled'];
/**
 * Two writers without pause starve each other in SQLite (its lock waits are polls, not a queue:
 * measured, one of them failed with "database is locked" with no backup running). Short pauses
 * leave each its turn, and still commit more often than any copy step lasts.
 */
const APP_PAUSE_MS = 10;
const OTHER_PAUSE_MS = 2;

/** The big file, written before the app boots: one INSERT … SELECT from a recursive CTE (~4 s). */
const seed = (file: string) => {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.exec(`CREATE TABLE bulk_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, payload VARCHAR(200));
    CREATE TABLE ledger (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);`);
  db.prepare(
    `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
     INSERT INTO bulk_rows (payload) SELECT printf('row %d %s', x, hex(randomblob(75))) FROM n`,
  ).run(BULK_ROWS);
  db.prepare(`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) INSERT INTO ledger SELECT x, ? FROM n`).run(ACCOUNTS, START);
  db.close();
};

type WriterStats = { writes: number; errors: string[]; slowestMs: number };

/** Picks two different accounts: each write moves an amount between them (the sum never changes). */
const twoAccounts = () => {
  const from = 1 + Math.floor(Math.random() * ACCOUNTS);
  return [from, 1 + ((from + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS)];
};

/** The app writing through its own connection (Strapi's knex, one connection), every few ms. */
const appWriting = (knex: Knex) => {
  const stats: WriterStats = { writes: 0, errors: [], slowestMs: 0 };
  let running = true;
  const done = (async () => {
    while (running) {
      const started = Date.now();
      const [from, to] = twoAccounts();
      try {
        await knex.transaction(async (trx) => {
          await trx('ledger').where({ id: from }).decrement('balance', 7);
          await trx('ledger').where({ id: to }).increment('balance', 7);
          await trx('bulk_rows').insert({ payload: `app ${started}` });
        });
        stats.writes += 1;
      } catch (error) {
        stats.errors.push(`app: ${(error as Error).message}`);
      }
      stats.slowestMs = Math.max(stats.slowestMs, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, APP_PAUSE_MS));
    }
  })();
  return {
    stats,
    stop: async () => {
      running = false;
      await done;
      return stats;
    },
  };
};

/**
 * Another process of the site (a second instance, the CLI) writing the same file through a
 * connection opened as Strapi's knex opens it (better-sqlite3's defaults: 5 s busy timeout), in a
 * thread of its own so that it writes truly alongside the app and the copy. Its pace is what makes
 * the test decisive: with a commit every few ms, every step of a step-by-step copy sees a write.
 */
const otherProcessWriting = (file: string) => {
  const shared = new Int32Array(new SharedArrayBuffer(16)); // writes, stop, slowest ms
  const stats: WriterStats = { writes: 0, errors: [], slowestMs: 0 };
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const Database = require(workerData.driver);
     const db = new Database(workerData.file);
     const move = db.prepare('UPDATE ledger SET balance = balance + ? WHERE id = ?');
     const add = db.prepare('INSERT INTO bulk_rows (payload) VALUES (?)');
     const write = db.transaction((from, to, at) => { move.run(-7, from); move.run(7, to); add.run('other ' + at); });
     const [counts, accounts, pause] = [workerData.shared, workerData.accounts, workerData.pause];
     while (Atomics.load(counts, 1) === 0) {
       const started = Date.now();
       const from = 1 + Math.floor(Math.random() * accounts);
       try {
         write(from, 1 + ((from + Math.floor(Math.random() * (accounts - 1))) % accounts), started);
         Atomics.add(counts, 0, 1);
       } catch (error) {
         parentPort.postMessage('other process: ' + error.message);
       }
       Atomics.store(counts, 2, Math.max(Atomics.load(counts, 2), Date.now() - started));
       Atomics.wait(counts, 1, 0, pause);
     }
     db.close();`,
    { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file, shared, accounts: ACCOUNTS, pause: OTHER_PAUSE_MS } },
  );
  worker.on('message', (message) => stats.errors.push(message));
  const exited = new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject));
  return {
    writes: () => Atomics.load(shared, 0),
    stop: async () => {
      Atomics.store(shared, 1, 1);
      Atomics.notify(shared, 1);
      await exited;
      return { ...stats, writes: Atomics.load(shared, 0), slowestMs: Atomics.load(shared, 2) };
    },
  };
};

describe('backups of a large SQLite site while it writes', () => {
  let app: TestApp;
  let alone: string;
  const service = servicesOf(() => app.strapi);
  /** A knex on `file` as Strapi opens one, with the given busy timeout on its connection. */
  const strapiLikeKnex = (file: string, busyTimeoutMs: number): Knex =>
    require('knex')({
      client: 'better-sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
      pool: {
        afterCreate: (conn: any, done: (err: Error | null, conn: unknown) => void) => {
          conn.pragma(`busy_timeout = ${busyTimeoutMs}`);
          done(null, conn);
        },
      },
    });

  beforeAll(async () => {
    app = await createTestApp('sqlite', 'sqlite-load');
    Object.assign(app.env, {
      BACKUP_POLL_MS: '200',
      BACKUP_WORKER_CONCURRENCY: String(PROFILES),
      // The failsafe looks every second and calls a job lost after 5 heartbeats (5 s) without one:
      // only an app whose event loop froze as long as its writes may wait for a lock loses a job.
      BACKUP_HEARTBEAT_MS: '1000',
      BACKUP_FAILSAFE_CRON: '*/1 * * * * *',
    });
    seed(app.env.DATABASE_FILENAME);
    // The same file for the copy on its own, before Strapi adds its tables: no app writes to it.
    alone = path.join(path.dirname(app.env.DATABASE_FILENAME), 'alone.db');
    fs.copyFileSync(app.env.DATABASE_FILENAME, alone);
    await app.boot();
  }, 240_000);

  afterAll(async () => {
    await app?.destroy();
  });

  it("runs on Strapi's own SQLite connection as the copy expects it: one connection, rollback journal, 5 s busy timeout", async () => {
    const knex = app.strapi.db.connection;
    expect(knex.client.pool.max).toBe(1);
    expect(await knex.raw('PRAGMA journal_mode')).toEqual([{ journal_mode: 'delete' }]);
    expect(await knex.raw('PRAGMA busy_timeout')).toEqual([{ timeout: 5000 }]);
  });

  it('copies a quiet database in short steps, the lock released between them', async () => {
    const knex = strapiLikeKnex(alone, 5000);
    try {
      const report = await copySqlite(knex, `${alone}.copy`);
      expect(report).toMatchObject({ mode: 'steps', restarts: 0 });
    } finally {
      await knex.destroy();
      fs.rmSync(`${alone}.copy`, { force: true });
    }
  });

  it("gives up with a message rather than hold the lock past its share of the site's busy timeout", async () => {
    // A site whose writes wait 200 ms at most: the copy may hold the lock 100 ms, and 180 MB take longer.
    const knex = strapiLikeKnex(alone, 200);
    const other = otherProcessWriting(alone);
    try {
      await expect(copySqlite(knex, `${alone}.copy`)).rejects.toThrow(
        /restarted the step-by-step copy \d+ times, and copying \d+ MB under one read lock takes longer than 100 ms/,
      );
      expect(fs.existsSync(`${alone}.copy`)).toBe(false);
    } finally {
      const writer = await other.stop();
      await knex.destroy();
      expect(writer.errors).toEqual([]);
      expect(writer.writes).toBeGreaterThan(0);
    }
  });

  it(
    'completes every backup, fails no write of the site, and archives one instant each time',
    async () => {
      const profiles = [];
      for (let i = 0; i < PROFILES; i += 1) {
        profiles.push(
          await service('profiles').create({
            name: `Under load ${i}`,
            // The big table makes the file large; leaving its rows out of the archive keeps each round
            // about the copy, not about compressing a million rows.
            excludeTables: ['bulk_rows'],
            includeUploads: false,
            includeProjectFiles: false,
          }),
        );
      }
      const own = appWriting(app.strapi.db.connection);
      const other = otherProcessWriting(app.env.DATABASE_FILENAME);
      const writes = () => own.stats.writes + other.writes();
      const rounds: { ms: number; writes: number; jobsMs: number[] }[] = [];
      let writers: WriterStats[];
      try {
        for (let round = 0; round < ROUNDS; round += 1) {
          const started = Date.now();
          const writesBefore = writes();
          const results = await Promise.all(profiles.map((profile) => service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' })));
          const ids: number[] = results.map((r: any) => r.record.id);
          let records: any[] = [];
          await waitFor(
            async () => {
              records = await Promise.all(ids.map((id) => service('records').findById(id)));
              return records.every((r) => FINAL.includes(r.status));
            },
            ROUND_DEADLINE_MS,
            `round ${round + 1}: backups ${ids.join(', ')} to end`,
          ).catch((error: Error) => {
            // Where each job stood says which part hung: the copy, the dump or the archive.
            const where = records.map((r, i) => (r ? `${r.id} ${r.status} ${JSON.stringify(r.progress)}` : `${ids[i]} not found`)).join('; ');
            throw new Error(`${error.message}; they stood at: ${where}`);
          });
          rounds.push({
            ms: Date.now() - started,
            writes: writes() - writesBefore,
            jobsMs: records.map((r) => new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime()),
          });
          expect(records.map((r) => [r.status, r.message ?? null])).toEqual(records.map(() => ['completed', null]));

          for (const record of records) {
            const entries = await readArchive(path.join(app.backupsDir, record.archiveFile));
            const ledger = tableRows(entries, 'ledger') as { balance: number }[];
            expect(ledger).toHaveLength(ACCOUNTS);
            expect(ledger.reduce((sum, r) => sum + r.balance, 0)).toBe(ACCOUNTS * START);
          }
        }
      } finally {
        writers = [await own.stop(), await other.stop()];
        console.log(
          `rounds ${JSON.stringify(rounds)}; writers ${JSON.stringify(writers.map(({ writes: w, slowestMs, errors }) => ({ writes: w, slowestMs, errors: errors.length })))}`,
        );
      }
      expect(writers.flatMap((w) => w.errors)).toEqual([]);
      // The site kept writing during every round: each backup copied a database that was changing.
      for (const round of rounds) expect(round.writes).toBeGreaterThan(0);
    },
    ROUNDS * ROUND_DEADLINE_MS + 60_000,
  );
});
