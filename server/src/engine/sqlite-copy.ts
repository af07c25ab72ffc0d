/**
 * A consistent copy of the app's SQLite file, taken beside the running site: SQLite's online
 * backup API on a second connection, in a worker thread, so neither the app's event loop nor its
 * writers wait longer than they can afford (see `copyInThisThread`). snapshot.ts reads the copy.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import {
  PRIVATE_FILE_MODE,
  SQLITE_FIRST_STEP_PAGES,
  SQLITE_LOCK_SHARE,
  SQLITE_LOCK_WAIT_MS,
  SQLITE_MAX_RESTARTS,
  SQLITE_STEP_LOCK_WAIT_MS,
  SQLITE_STEP_MS,
} from './constants';

/** What the SQLite copy did: which way it copied and how long it held the site's writers. */
export interface SqliteCopyReport {
  /** `steps`: short steps, the lock released between them; `one-lock`: one read lock throughout. */
  mode: 'steps' | 'one-lock';
  /** Steps of the step-by-step copy that the site's writes restarted or kept waiting. */
  restarts: number;
  /** The longest hold of the read lock (ms): one step (its wait for the lock included), or the one lock. */
  longestLockMs: number;
}

/** Everything the copy needs in its worker thread (plain data: it is cloned into the thread). */
interface CopyJob {
  driverPath: string;
  file: string;
  copyPath: string;
  stepMs: number;
  firstStepPages: number;
  maxRestarts: number;
  stepLockWaitMs: number;
  lockWaitMs: number;
  lockBudgetMs: number;
  /** Mode of the copy: it holds the whole site (SQLite would create it readable by all). */
  fileMode: number;
}

/** Copies the app's SQLite database into `copyPath`, consistent and without failing the app's writes. */
export async function copySqlite(knex: Knex, copyPath: string): Promise<SqliteCopyReport> {
  const client: any = knex.client;
  const filename: string | undefined = client.config?.connection?.filename;
  if (!filename || filename === ':memory:' || filename.startsWith('file:')) {
    // An in-memory database is only reachable through the app's connection: borrow it for the copy
    // only, then hand it back.
    const conn = await client.acquireConnection();
    const started = Date.now();
    try {
      await conn.backup(copyPath);
    } finally {
      await client.releaseConnection(conn);
    }
    return { mode: 'one-lock', restarts: 0, longestLockMs: Date.now() - started };
  }
  const file = path.resolve(filename);
  // The longest the app's writers wait for a lock before failing with "database is locked"
  // (better-sqlite3's default, which Strapi keeps, if the connection does not say).
  const [{ timeout = 5000 } = {}] = await knex.raw('PRAGMA busy_timeout');
  return oneCopyAtATime(file, () =>
    copyInWorker({
      driverPath: driverPath(client.driver),
      file,
      copyPath,
      stepMs: SQLITE_STEP_MS,
      firstStepPages: SQLITE_FIRST_STEP_PAGES,
      maxRestarts: SQLITE_MAX_RESTARTS,
      stepLockWaitMs: SQLITE_STEP_LOCK_WAIT_MS,
      lockWaitMs: SQLITE_LOCK_WAIT_MS,
      lockBudgetMs: Math.floor(Number(timeout) * SQLITE_LOCK_SHARE),
      fileMode: PRIVATE_FILE_MODE,
    }),
  );
}

/**
 * Copies of one file run one after the other in this process. Side by side (jobs of several
 * profiles), their read locks overlap and the site's writers wait for the slowest: measured, two
 * at once held theirs 1.4–1.5 s each instead of 0.6 s.
 */
const copiesRunning = new Map<string, Promise<unknown>>();
function oneCopyAtATime<T>(file: string, copy: () => Promise<T>): Promise<T> {
  const result = (copiesRunning.get(file) ?? Promise.resolve()).then(copy);
  const settled = result.catch(() => undefined);
  copiesRunning.set(file, settled);
  void settled.then(() => copiesRunning.get(file) === settled && copiesRunning.delete(file));
  return result;
}

/**
 * The very better-sqlite3 module the app's knex loaded. The worker must open the file with the same
 * SQLite library: two copies in one process do not see each other's locks (POSIX locks are per
 * process), and a read lock the app's writers cannot see would let them write under the copy.
 */
function driverPath(driver: unknown): string {
  const loaded = Object.values(require.cache).find((m) => m?.exports === driver);
  return loaded?.filename ?? require.resolve('better-sqlite3', { paths: [process.cwd(), __dirname] });
}

/** better-sqlite3 runs each backup step synchronously: a worker thread keeps the app's event loop free. */
function copyInWorker(job: CopyJob): Promise<SqliteCopyReport> {
  const code = `const { workerData, parentPort } = require('node:worker_threads');
    (${copyInThisThread.toString()})(workerData).then(
      (report) => parentPort.postMessage({ report }),
      (error) => parentPort.postMessage({ error: String((error && error.message) || error) }));`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: job });
    worker.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m.report)));
    worker.once('error', reject);
    // After a message this changes nothing; without one, the thread died.
    worker.once('exit', (exitCode) => reject(new Error(`SQLite copy failed (worker exit ${exitCode})`)));
  });
}

/**
 * The copy itself, in the worker thread. It is serialized into the thread (`toString()`), so it
 * uses nothing but its argument and `require`.
 *
 * First, SQLite's backup API in short steps, the read lock released between them: the app's writers
 * wait one step at most. But a write between two steps restarts the copy from page 1, so on a site
 * that writes all the time it may never end (the copy this replaced took 17 s to 10 min under a
 * steady writer). After `maxRestarts`, it copies under ONE read lock: in rollback-journal mode no
 * write commits until the copy ends, so it cannot restart and takes the time of one copy (0.4–0.7 s
 * for 178 MB measured here), which the writers wait out. That hold is bounded by `lockBudgetMs`, a share of their busy
 * timeout: past it the copy gives up with a message rather than make their writes fail. In WAL mode
 * a read lock never blocks writers, so the copy takes it at once and needs no bound.
 */
async function copyInThisThread(job: CopyJob): Promise<SqliteCopyReport> {
  // This function's source also runs in a worker thread (see above), where only require() exists.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const fs = require('node:fs');
  const Driver = require(job.driverPath);
  /* eslint-enable @typescript-eslint/no-require-imports */
  const source = new Driver(job.file, { readonly: true, fileMustExist: true });
  const stop = new Error('stop');
  // SQLite counts a connection's lock waits per statement, and backup steps are not statements:
  // once one step used up the wait, every later step would return at once (a busy loop; 2.4M steps
  // in 37 s measured). Setting the timeout again before each step restarts the count.
  const waitForLock = (ms: number) => source.pragma(`busy_timeout = ${ms}`);
  let longest = 0;

  /**
   * One backup-API pass, each step waiting up to `lockWaitMs` for the lock; `afterStep(progressed)`
   * may throw `stop`. True when the whole file was copied.
   */
  const pass = async (lockWaitMs: number, afterStep: (progressed: boolean) => void): Promise<boolean> => {
    // An empty file to copy into, private before any page lands in it (its journal takes its mode).
    // Emptied rather than removed, so an earlier pass's pages never mix in.
    fs.writeFileSync(job.copyPath, '', { mode: job.fileMode });
    waitForLock(lockWaitMs);
    let pages = 0;
    let copied = 0;
    let since = performance.now();
    try {
      const end = await source.backup(job.copyPath, {
        progress: ({ totalPages, remainingPages }: { totalPages: number; remainingPages: number }) => {
          const ms = performance.now() - since;
          longest = Math.max(longest, ms);
          // A restart (another connection wrote) copies from page 1; a step that found the lock
          // taken past lockWaitMs copies nothing. Either way it is behind where it should be.
          afterStep(totalPages - remainingPages >= Math.min(totalPages, copied + pages));
          copied = totalPages - remainingPages;
          // Pages for the next step: as many as take about stepMs (at most twice the last step).
          pages = pages === 0 ? job.firstStepPages : Math.max(1, Math.round(pages * Math.min(2, job.stepMs / Math.max(ms, 1))));
          waitForLock(lockWaitMs);
          since = performance.now();
          return pages;
        },
      });
      // better-sqlite3 takes a first step that found the lock taken for the end, and deletes the file.
      return end.totalPages > 0 && fs.existsSync(job.copyPath);
    } catch (error) {
      if (error === stop) return false;
      throw error;
    }
  };

  try {
    waitForLock(job.lockWaitMs);
    const wal = source.pragma('journal_mode', { simple: true }) === 'wal';
    let restarts = 0;
    if (!wal) {
      const done = await pass(job.stepLockWaitMs, (progressed) => {
        if (!progressed && ++restarts > job.maxRestarts) throw stop;
      });
      if (done) return { mode: 'steps', restarts, longestLockMs: Math.round(longest) };
    }
    waitForLock(job.lockWaitMs);
    source.exec('BEGIN');
    try {
      try {
        source.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get(); // takes the read lock until COMMIT
      } catch (error: any) {
        if (!String(error?.code).startsWith('SQLITE_BUSY')) throw error;
        throw new Error(`SQLite copy stopped: the site's writes kept the database locked for ${job.lockWaitMs / 1000} s.`, { cause: error });
      }
      const lockedAt = performance.now();
      const budget = wal ? Infinity : job.lockBudgetMs;
      const done = await pass(job.lockWaitMs, () => {
        if (performance.now() - lockedAt > budget) throw stop;
      });
      if (!done) {
        const mb = (fs.statSync(job.file).size / 1e6).toFixed(0);
        throw new Error(
          `SQLite copy stopped: the site's writes restarted the step-by-step copy ${restarts} times, and copying ` +
            `${mb} MB under one read lock takes longer than ${job.lockBudgetMs} ms, as long as the site's writes ` +
            `may wait for it. Back up when the site writes less, or switch the database to WAL ` +
            `(journal_mode=WAL), where the copy never blocks writes.`,
        );
      }
      return { mode: 'one-lock', restarts, longestLockMs: Math.round(performance.now() - lockedAt) };
    } finally {
      source.exec('COMMIT');
    }
  } catch (error) {
    // A copy that stopped is no copy: never leave a partial one looking like a database.
    fs.rmSync(job.copyPath, { force: true });
    throw error;
  } finally {
    source.close();
  }
}
