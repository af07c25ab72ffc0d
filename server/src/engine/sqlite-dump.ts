/**
 * The SQLite dump in a worker thread. On SQLite the snapshot is a private, read-only copy of the
 * file (sqlite-copy.ts), so a thread can open it on its own: the rows are read (better-sqlite3 runs
 * each query synchronously), encoded and handed to gzip there, and the app's event loop keeps only
 * the uploads' archiving, beside it on the other core. The thread runs the same dumpTables as the
 * other engines, so the entries are byte for byte what the main thread would write.
 *
 * PostgreSQL and MySQL read through one REPEATABLE READ transaction of the app's pool, which a
 * thread cannot share: they dump on the main thread, their drivers' parsing being asynchronous.
 */
import { Worker } from 'node:worker_threads';
import { dumpTables, type DumpedTable, type DumpOptions } from './db-dump';
import { abortError } from './hash-stream';
import type { TableInfo } from './introspect';
import { openReadOnlySqlite } from './snapshot';

/** Everything the thread needs (plain data: it is cloned into the thread). */
export interface SqliteDumpJob {
  /** The snapshot copy. */
  file: string;
  tables: TableInfo[];
  outDir: string;
  batchSize: number;
}

type FromThread = { rows: [string, number] } | { table: DumpedTable } | { done: DumpedTable[] } | { error: string };

/**
 * Loads this module in the thread and runs the dump. From the TypeScript sources (the tests run
 * them), the thread compiles each module as it loads it, with the same `typescript` the sources
 * are checked with; the built plugin loads its JavaScript and never needs it.
 */
const BOOTSTRAP = `const { workerData, parentPort } = require('node:worker_threads');
  if (workerData.typescript) {
    const ts = require(workerData.typescript);
    const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    require.extensions['.ts'] = (m, file) =>
      m._compile(ts.transpileModule(require('node:fs').readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file }).outputText, file);
  }
  require(workerData.entry).dumpInThisThread(workerData.job, (m) => parentPort.postMessage(m)).catch(
    (error) => parentPort.postMessage({ error: String((error && error.message) || error) }));`;

/** Dumps the snapshot copy's tables into `job.outDir` from a worker thread (see above). */
export function dumpSqliteInWorker(job: SqliteDumpJob, hooks: Pick<DumpOptions, 'signal' | 'onRows' | 'onTable'>): Promise<DumpedTable[]> {
  const { signal } = hooks;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const entry = __filename;
  const typescript = entry.endsWith('.ts') ? require.resolve('typescript') : null;
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { entry, typescript, job } });
    let settled = false;
    const settle = (end: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      end();
    };
    // Stops the thread where it is; the thread's exit settles (its staged files are the caller's
    // scratch directory to remove, once the thread, and every file it held open, is gone).
    const onAbort = () => void worker.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: FromThread) => {
      if ('rows' in m) hooks.onRows?.(...m.rows);
      else if ('table' in m) hooks.onTable?.(m.table);
      // The thread has written and closed every file before it says so.
      else if ('done' in m) settle(() => resolve(m.done));
      else settle(() => reject(new Error(m.error)));
    });
    worker.once('error', (error) => settle(() => reject(error)));
    // After an answer this changes nothing; without one, the thread died.
    worker.once('exit', (code) =>
      settle(() => reject(signal?.aborted ? abortError(signal) : new Error(`the database dump's thread ended without an answer (exit ${code})`))),
    );
  });
}

/** The thread's side: a knex of its own on the copy, and the dump's progress posted back. */
export async function dumpInThisThread(job: SqliteDumpJob, post: (m: FromThread) => void): Promise<void> {
  const db = openReadOnlySqlite(job.file);
  try {
    const dumped = await dumpTables({
      db,
      dialect: 'sqlite',
      tables: job.tables,
      outDir: job.outDir,
      batchSize: job.batchSize,
      onRows: (table, rows) => post({ rows: [table, rows] }),
      onTable: (table) => post({ table }),
    });
    post({ done: dumped });
  } finally {
    await db.destroy();
  }
}
