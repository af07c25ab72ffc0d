/**
 * createBackup: one archive of the database snapshot, the uploads and the project files.
 *
 * The database dump (reading and encoding in a thread of its own, dump-thread.ts, or on the main
 * thread where no thread can reach the snapshot; gzip on the thread pool) runs at the same time as
 * the uploads and project files stream into the archive, so both cores work. Table
 * entries are staged in tmpDir and appended after the files (a tar entry needs its size up front),
 * then the manifest, last. Any failure or abort stops both halves, waits for them, and removes the
 * partial archive and the scratch directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ArchiveWriter } from './archive';
import { DB_PREFIX, DUMP_BATCH_ROWS, ENV_FILE, FILES_PREFIX, PRIVATE_DIR_MODE } from './constants';
import { dumpTables, tableFileName, type DumpedTable } from './db-dump';
import { dumpInThread } from './dump-thread';
import { withTextJson } from './encode';
import { listProjectFiles, listUploads, type SourceFile } from './files';
import { abortError, throwIfAborted } from './hash-stream';
import { describeTables, listTables, type TableInfo } from './introspect';
import { estimateRows } from './row-estimates';
import { buildManifest, serializeManifest } from './manifest';
import { ProgressReporter } from './progress';
import { readAhead } from './read-ahead';
import { allOrAbort, linkedAbort } from './side-by-side';
import { pinSnapshot, withSnapshot } from './snapshot';
import type { BackupOptions, BackupResult, FileManifest, ProgressStep, TableManifest } from './types';

export async function createBackup(opts: BackupOptions): Promise<BackupResult> {
  throwIfAborted(opts.signal);
  // One internal controller: the caller's abort, or a failure of either half, stops both halves.
  const { controller, dispose } = linkedAbort(opts.signal);
  const signal = controller.signal;
  const createdAt = new Date();
  const tmpDir = path.resolve(opts.tmpDir);
  let writer: ArchiveWriter | null = null;
  try {
    await fs.promises.mkdir(tmpDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    writer = await ArchiveWriter.open(opts.outFile, opts.format);
    const w = writer;
    // Abort stops the archive at once (a large file in flight would otherwise finish first). The
    // catch: this promise has no other owner, and an unhandled rejection ends Strapi's process
    // (the cleanup below aborts again, awaited, and reports what fails).
    signal.addEventListener('abort', () => void w.abort(abortError(signal)).catch(() => undefined), { once: true });

    // The database half starts first: its snapshot copy runs while the files are listed.
    const listed = listSources(opts, tmpDir, signal);
    const reporter = listed.then(({ uploads, project }) => createReporter(opts, uploads, project));
    reporter.catch(() => undefined); // a failed listing is reported through filesPromise
    const dbPromise = opts.includeDatabase ? dumpDatabase(opts, tmpDir, reporter, signal) : Promise.resolve(null);
    const filesPromise = (async () => {
      const { uploads, project } = await listed;
      const progress = await reporter;
      const out: FileManifest[] = [];
      for (const [step, list] of [
        ['uploads', uploads],
        ['files', project],
      ] as [ProgressStep, SourceFile[]][]) {
        for await (const [f, content] of readAhead(list)) {
          throwIfAborted(signal);
          const onBytes = (n: number) => progress.add(step, n, f.name);
          const sha256 = content ? await w.appendRead(f, content, onBytes) : await w.appendFile(f, onBytes);
          out.push({ path: f.name, size: f.stats.size, sha256 });
        }
        progress.complete(step);
      }
      return out;
    })();
    const [db, files] = await allOrAbort([dbPromise, filesPromise] as const, controller);
    const progress = await reporter;

    const tables: TableManifest[] = [];
    if (db) {
      for (const t of db.dumped) {
        throwIfAborted(signal);
        const info = db.infos.get(t.name)!;
        const stats = await fs.promises.stat(t.file);
        const sha256 = await w.appendFile({ abs: t.file, name: `${DB_PREFIX}${tableFileName(t.name)}`, stats }, (n) =>
          progress.add('finalize', n, `db/${t.name}`),
        );
        // The staged file is read back while archived: a disagreement means the scratch disk lied.
        if (sha256 !== t.sha256) throw new Error(`staged table ${t.name} changed on disk while archiving`);
        await fs.promises.rm(t.file, { force: true });
        tables.push({ name: t.name, rows: t.rows, sha256, columns: info.columns, primaryKey: info.primaryKey, indexes: info.indexes });
      }
    }
    throwIfAborted(signal);
    const contents = {
      database: opts.includeDatabase,
      excludedTables: opts.includeDatabase ? [...(opts.excludeTables ?? [])].sort() : [],
      uploads: Boolean(opts.uploadsDir),
      projectFiles: Boolean(opts.projectDir),
      env: Boolean(opts.projectDir && opts.includeEnv && files.some((f) => f.path === `${FILES_PREFIX}${ENV_FILE}`)),
    };
    const manifest = buildManifest({ createdAt, dialect: opts.dialect, meta: opts.meta, tables, files, contents });
    await w.appendBuffer('manifest.json', serializeManifest(manifest), createdAt);
    const final = await w.finalize();
    writer = null;
    progress.finish('done');
    return {
      file: final.file,
      size: final.size,
      sha256: final.sha256,
      manifest,
      stats: {
        tables: Object.fromEntries(tables.map((t) => [t.name, t.rows])),
        files: files.length,
        bytes: files.reduce((a, f) => a + f.size, 0),
      },
    };
  } catch (err) {
    controller.abort(err);
    if (writer) await writer.abort(err as Error);
    throw opts.signal?.aborted ? abortError(opts.signal) : err;
  } finally {
    dispose();
    await fs.promises.rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function listSources(opts: BackupOptions, tmpDir: string, signal: AbortSignal): Promise<{ uploads: SourceFile[]; project: SourceFile[] }> {
  const uploads = opts.uploadsDir ? await listUploads(opts.uploadsDir, signal) : [];
  const project = opts.projectDir
    ? await listProjectFiles(opts.projectDir, {
        includeEnv: opts.includeEnv,
        exclude: [
          ...(opts.projectExclude ?? []),
          tmpDir,
          path.resolve(opts.outFile),
          path.resolve(`${opts.outFile}.partial`),
          ...(opts.uploadsDir ? [opts.uploadsDir] : []),
        ],
        signal,
      })
    : [];
  return { uploads, project };
}

function createReporter(opts: BackupOptions, uploads: SourceFile[], project: SourceFile[]): ProgressReporter {
  const uploadBytes = uploads.reduce((a, f) => a + f.stats.size, 0);
  const fileBytes = project.reduce((a, f) => a + f.stats.size, 0);
  const fileShare = opts.includeDatabase ? 45 : 90;
  const weights: Partial<Record<ProgressStep, number>> = {};
  if (opts.includeDatabase) weights.database = uploadBytes + fileBytes > 0 ? 45 : 90;
  if (uploads.length) weights.uploads = (fileShare * uploadBytes) / Math.max(1, uploadBytes + fileBytes) || 1;
  if (project.length) weights.files = (fileShare * fileBytes) / Math.max(1, uploadBytes + fileBytes) || 1;
  weights.finalize = 10;
  const reporter = new ProgressReporter(opts.onProgress, weights);
  reporter.setTotal('uploads', uploadBytes);
  reporter.setTotal('files', fileBytes);
  return reporter;
}

async function dumpDatabase(
  opts: BackupOptions,
  tmpDir: string,
  reporter: Promise<ProgressReporter>,
  signal: AbortSignal,
): Promise<{ dumped: DumpedTable[]; infos: Map<string, TableInfo> }> {
  const exclude = new Set(opts.excludeTables ?? []);
  return withSnapshot(opts.knex, opts.dialect, tmpDir, async (db, thread) => {
    const names = (await listTables(db, opts.dialect)).filter((n) => !exclude.has(n));
    await pinSnapshot(db, opts.dialect, names[0]);
    const infos = (await describeTables(db, opts.dialect, names)).map((t) => ({ ...t, columns: withTextJson(t.columns) }));
    const estimates = await estimateRows(db, opts.dialect, names);
    const estimate = (t: string) => Math.max(1, estimates.get(t) ?? 0);
    const progress = await reporter;
    progress.setTotal(
      'database',
      names.reduce((a, t) => a + estimate(t), 0),
    );
    const done = new Map<string, number>();
    const outDir = path.join(tmpDir, 'db');
    const batchSize = opts.batchSize ?? DUMP_BATCH_ROWS[opts.dialect];
    const hooks = {
      signal,
      onRows: (t: string, n: number) => {
        // Count at most the estimate per table so one underestimated table cannot run ahead.
        const before = done.get(t) ?? 0;
        const add = Math.max(0, Math.min(before + n, estimate(t)) - before);
        done.set(t, before + n);
        progress.add('database', add, `table ${t}`);
      },
      onTable: (t: DumpedTable) => {
        const before = done.get(t.name) ?? 0;
        progress.add('database', Math.max(0, estimate(t.name) - Math.min(before, estimate(t.name))), `table ${t.name}`);
      },
    };
    const dumped =
      (thread && (await dumpInThread({ source: thread, tables: infos, outDir, batchSize }, hooks))) ??
      (await dumpTables({ db, dialect: opts.dialect, tables: infos, outDir, batchSize, ...hooks }));
    progress.complete('database');
    return { dumped, infos: new Map(infos.map((i) => [i.name, i])) };
  });
}
