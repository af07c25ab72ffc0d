/**
 * The database dump in a worker thread (SQLite, MySQL), on a connection of its own to the backup's
 * snapshot (thread-snapshot.ts says how, per database): rows are read, encoded and handed to gzip there,
 * and the app's event loop keeps only the uploads' archiving, beside it on the other core. The
 * thread runs the same dumpTables as the main thread, so the entries are byte for byte what the
 * main thread would write.
 */
import { Worker } from 'node:worker_threads';
import { dumpTables, type DumpedTable, type DumpOptions } from './db-dump';
import { DUMP_THREAD_STOP_GRACE_MS } from './constants';
import { abortError } from './hash-stream';
import type { TableInfo } from './introspect';
import { openThreadSnapshot, type ThreadSource } from './thread-snapshot';

/** Everything the thread needs (plain data: it is cloned into the thread). */
export interface DumpThreadJob {
  source: ThreadSource;
  tables: TableInfo[];
  outDir: string;
  batchSize: number;
}

type FromThread = { rows: [string, number] } | { table: DumpedTable } | { done: DumpedTable[] } | { unopened: true } | { error: string };

/** What the caller posts to the thread to stop its dump. */
const STOP = 'stop';

/**
 * Loads this module in the thread and runs the dump. From the TypeScript sources (the tests run
 * them), the thread compiles each module as it loads it, with the same `typescript` the sources
 * are checked with; the built plugin loads its JavaScript and never needs it.
 */
const BOOTSTRAP = `const { workerData, parentPort } = require('node:worker_threads');
  const stop = new AbortController();
  parentPort.on('message', (m) => m === '${STOP}' && stop.abort());
  parentPort.unref(); // listening must not keep the thread alive once its dump has ended
  if (workerData.typescript) {
    const ts = require(workerData.typescript);
    const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    require.extensions['.ts'] = (m, file) =>
      m._compile(ts.transpileModule(require('node:fs').readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file }).outputText, file);
  }
  require(workerData.entry).dumpInThisThread(workerData.job, (m) => parentPort.postMessage(m), stop.signal).catch(
    (error) => parentPort.postMessage({ error: String((error && error.message) || error) }));`;

/**
 * Dumps the snapshot's tables into `job.outDir` from a worker thread (see above). Resolves null,
 * having written nothing, when the thread could not open the snapshot (a MySQL server at its
 * connection limit, say): the caller dumps on its own connection instead.
 */
export function dumpInThread(job: DumpThreadJob, hooks: Pick<DumpOptions, 'signal' | 'onRows' | 'onTable'>): Promise<DumpedTable[] | null> {
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
    // Asks the thread to stop, and terminates it only if it has not within the grace period (see
    // DUMP_THREAD_STOP_GRACE_MS: terminating can abort the process). The thread's exit settles:
    // its staged files are the caller's scratch directory to remove once the thread, and every
    // file it held open, is gone (a stopped dump closes its files and its connection; Node
    // closes those of a terminated thread, and the server rolls its transaction back).
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      worker.postMessage(STOP);
      grace = setTimeout(() => void worker.terminate(), DUMP_THREAD_STOP_GRACE_MS);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: FromThread) => {
      if (signal?.aborted) return; // the exit settles (above)
      if ('rows' in m) hooks.onRows?.(...m.rows);
      else if ('table' in m) hooks.onTable?.(m.table);
      // The thread has written and closed every file before it says so.
      else if ('done' in m) settle(() => resolve(m.done));
      else if ('unopened' in m) settle(() => resolve(null));
      else settle(() => reject(new Error(m.error)));
    });
    worker.once('error', (error) => settle(() => reject(error)));
    // After an answer this changes nothing; without one, the thread died.
    worker.once('exit', (code) => {
      clearTimeout(grace);
      settle(() => reject(signal?.aborted ? abortError(signal) : new Error(`the database dump's thread ended without an answer (exit ${code})`)));
    });
  });
}

/** The thread's side: a connection of its own on the snapshot, and the dump's progress posted back. */
export async function dumpInThisThread(job: DumpThreadJob, post: (m: FromThread) => void, signal?: AbortSignal): Promise<void> {
  const { source } = job;
  let opened: Awaited<ReturnType<typeof openThreadSnapshot>>;
  try {
    opened = await openThreadSnapshot(source);
  } catch {
    post({ unopened: true }); // the caller dumps on its own connection; the reason is not its to act on
    return;
  }
  try {
    const dumped = await dumpTables({
      db: opened.db,
      dialect: source.dialect,
      tables: job.tables,
      outDir: job.outDir,
      batchSize: job.batchSize,
      signal,
      onRows: (table, rows) => post({ rows: [table, rows] }),
      onTable: (table) => post({ table }),
    });
    post({ done: dumped });
  } finally {
    await opened.close();
  }
}
