/**
 * restoreArchive: puts a site back as an archive holds it, streaming the archive, after
 * checkArchive accepted it. Entries come in archive order (files first, tables last):
 *
 * 1. `uploads/…` and `files/…` are written into hidden staging directories (extract.ts), each file
 *    checked against the manifest's size and sha256.
 * 2. At the first `db/…` entry the database transaction opens (db-load.ts): foreign keys off, every
 *    restored table emptied; each table entry then streams in batches (table-load.ts), its sha256
 *    and row count checked against the manifest. On PostgreSQL and MySQL a second reader of the
 *    file, started at the first table entry (tar-seek.ts), does this while the first stages the
 *    files (loadsBeside says when), so the server loads rows while this process writes files;
 *    either one failing stops both.
 * 3. At the end: every entry the manifest lists must have been seen (and, after a deferred check,
 *    the manifest entry must be the one checked and the whole file must have the recorded sha256);
 *    foreign keys are checked, sequences raised, and the transaction commits.
 * 4. Only then are the uploads swapped in (and the project files, when asked), and the old ones
 *    removed (or left set aside for the caller, `keepReplaced`).
 *
 * All or nothing until the commit: any failure or abort before it rolls the database back and
 * removes the staging directories; the live files were never touched. After the commit an abort
 * is no longer honoured (the swaps are a few renames). Should a swap itself fail, the error says
 * the database was restored and the files were not (`RestoreFailedError.databaseRestored`).
 *
 * Errors: `ArchiveRefusedError` when the archive does not fit (schema differences without force,
 * another dialect) or changed since it was checked; `RestoreFailedError` when a row or a foreign
 * key fails; an `AbortError` on abort. In every case nothing was changed. Messages name tables,
 * columns, entries and key values, never row contents (knex's own message inlines the values).
 *
 * For the caller (the queue's runner, the CLI):
 * 1. `checkArchive(file, { knex, dialect, keepTables, expectedSha256, signal, onProgress })`:
 *    refuse when `errors` is not empty, or `differences` is not empty without force (CLI exit 4,
 *    HTTP 400), showing the lines as they are. Its progress is the `verify` phase.
 *    Without a safety backup to come, pass `deferEntries`: the check then reads only the manifest
 *    and the restore checks the rest as it reads the archive (one read instead of two); a damaged
 *    archive is refused by the restore instead, still with nothing changed. With a safety backup,
 *    the archive is checked in full first, so that a damaged one costs no backup.
 * 2. Take the safety backup (a normal createBackup) if asked.
 * 3. `restoreArchive({ knex, dialect, file, manifest: check.manifest, deferred: check.deferred,
 *    keepTables, force, uploadsDir, projectDir, restoreFiles, includeEnv, projectExclude, signal,
 *    onProgress })`: its progress covers `database`, `uploads`, `files` and ends with one `done`
 *    100. Store `RestoreResult` as the record's stats (`skipped` and `untouched` say what force
 *    left out).
 * - `keepTables`: the plugin's tables and their link tables (`backup_profiles`, `backup_records`,
 *   `backup_records_profile_lnk`); they are never emptied, loaded or compared, so the restore's
 *   own record survives. Their `created_by_id`/`updated_by_id` reference `admin_users`: the rule
 *   of foreign-keys.ts applies (ON DELETE SET NULL: cleared when set; the plugin leaves them null).
 * - SQLite: the load holds the application's only connection from the first table to the commit
 *   (db-load.ts): the app's own queries (the record's progress and heartbeat included) wait until
 *   then, so report progress from memory meanwhile. PostgreSQL/MySQL: only the restored tables
 *   are locked; the plugin's tables stay writable.
 * - `uploadsDir` null, or an archive that did not include uploads, leaves the uploads alone; the
 *   same for project files (only with `restoreFiles`) and `.env` (only with `includeEnv`).
 */
import { drain, readEntries, type ArchiveEntry } from './archive-read';
import { planRestore, type PlannedTable, type RestorePlan } from './compat';
import { DB_PREFIX, DEFAULT_BATCH_SIZE, FILES_PREFIX, MANIFEST_NAME, PROGRESS_INTERVAL_MS, TABLE_ENTRY_SUFFIX, UPLOADS_PREFIX } from './constants';
import { DatabaseLoad } from './db-load';
import { checkManifestEntry, passOver, refusalIfDamaged } from './deferred';
import { ArchiveRefusedError, RestoreFailedError } from './errors';
import { StagedDir, removeOld } from './extract';
import { HashStream, abortError, throwIfAborted } from './hash-stream';
import { ProgressReporter } from './progress';
import { applyProjectFiles, projectEntryPath } from './project-files';
import { loadTableEntry } from './table-load';
import type { FileManifest, RestoreOptions, RestoreResult, RestoreStep } from './types';
import { allOrAbort, linkedAbort } from './side-by-side';
import { tablesStart } from './tar-seek';
import { isTableEntry, shaMismatch, startsWithGzipMagic, unsafeEntry } from './verify';

type Reporter = ProgressReporter<RestoreStep>;

export async function restoreArchive(opts: RestoreOptions): Promise<RestoreResult> {
  throwIfAborted(opts.signal);
  const { manifest, dialect, signal } = opts;
  const plan = await planRestore(opts.knex, dialect, manifest, opts.keepTables);
  if (plan.errors.length) throw new ArchiveRefusedError(plan.errors);
  if (plan.differences.length && !opts.force) {
    throw new ArchiveRefusedError(
      plan.differences,
      'The archive does not match this database (force restores the part they have in common); nothing was changed',
    );
  }
  const has = (prefix: string) => manifest.files.some((f) => f.path.startsWith(prefix));
  const doUploads = Boolean(opts.uploadsDir) && (manifest.contents?.uploads ?? has(UPLOADS_PREFIX));
  const doFiles = Boolean(opts.projectDir && opts.restoreFiles) && (manifest.contents?.projectFiles ?? has(FILES_PREFIX));
  const includeEnv = Boolean(opts.includeEnv);
  const progress = createReporter(opts, plan, doUploads, doFiles);

  const result: RestoreResult = {
    tables: {},
    skipped: { tables: plan.skippedTables, columns: plan.skippedColumns },
    untouched: plan.untouched,
    uploads: 'unchanged',
    projectFiles: 'unchanged',
    files: 0,
    bytes: 0,
  };
  const files = new Map(manifest.files.map((f) => [f.path, f]));
  const tables = new Map(plan.tables.map((t) => [t.name, t]));
  const listedTables = new Set(manifest.tables.map((t) => t.name));
  const seen = new Set<string>();
  let uploads: StagedDir | null = null;
  let project: StagedDir | null = null;
  let load: DatabaseLoad | null = null;
  // The caller's abort, or a failure of either pass, stops both.
  const { controller, dispose } = linkedAbort(signal);
  const inner = controller.signal;

  const tableEntry = async (name: string, entry: ArchiveEntry) => {
    const tableName = name.slice(DB_PREFIX.length, -TABLE_ENTRY_SUFFIX.length);
    if (!listedTables.has(tableName)) throw new ArchiveRefusedError([`entry ${JSON.stringify(name)} is not listed in the manifest`]);
    const table = tables.get(tableName);
    // Kept, excluded or (force) not in the database.
    if (!table) return passOver(entry, opts.deferred, manifest.tables.find((t) => t.name === tableName)!);
    if (table.name in result.tables) throw new ArchiveRefusedError([`entry ${JSON.stringify(name)} appears more than once`]);
    load ??= await DatabaseLoad.begin(opts.knex, dialect, plan, inner);
    result.tables[table.name] = await loadTable(load, table, entry, opts, progress, inner);
  };
  /** The small files written behind the reader have landed (throws the first failure). */
  const filesWritten = () => Promise.all([uploads?.finish(), project?.finish()]);
  // With a deferred check, the whole file's sha256 too (the main pass reads every byte of it).
  const expectedSha256 = opts.deferred?.sha256 ?? null;
  const fileHash = expectedSha256 ? new HashStream() : undefined;
  /** Every entry checked and the files staged; the tables loaded too, unless `tablesApart`. */
  const mainPass = async (tablesApart: boolean) => {
    for await (const entry of readEntries(opts.file, { signal: inner, fileHash })) {
      const { name, type } = entry.header;
      const problem = unsafeEntry(name, type) ?? (seen.has(name) ? `entry ${JSON.stringify(name)} appears more than once` : null);
      if (problem) throw new ArchiveRefusedError([problem]);
      seen.add(name);
      if (name.startsWith(UPLOADS_PREFIX) || name.startsWith(FILES_PREFIX)) {
        const listed = listedFile(files, name);
        const upload = name.startsWith(UPLOADS_PREFIX);
        const staging = upload ? uploads : project;
        const rel = upload ? name.slice(UPLOADS_PREFIX.length) : projectEntryPath(name, includeEnv);
        if (staging && rel) await staging.write(rel, entry, listed, (n) => progress.add(upload ? 'uploads' : 'files', n, name));
        else await passOver(entry, opts.deferred, listed);
      } else if (isTableEntry(name)) {
        if (tablesApart) await drain(entry);
        else {
          // A file that could not be written fails the restore before the load takes the connection.
          if (!load) await filesWritten();
          await tableEntry(name, entry);
        }
      } else if (name === MANIFEST_NAME) {
        await checkManifestEntry(entry, opts.deferred);
      } else {
        throw new ArchiveRefusedError([`entry ${JSON.stringify(name)} is not listed in the manifest`]);
      }
    }
    await filesWritten();
  };
  /** A second reader of the same file that loads the tables and passes over everything else. */
  const tablesPass = async (start: number) => {
    for await (const entry of readEntries(opts.file, { signal: inner, start })) {
      const { name, type } = entry.header;
      if (isTableEntry(name) && !unsafeEntry(name, type)) await tableEntry(name, entry);
      else await drain(entry); // the main pass checks it
    }
  };

  try {
    if (doUploads) uploads = await StagedDir.create(opts.uploadsDir!, 'uploads');
    if (doFiles) project = await StagedDir.create(opts.projectDir!, 'files', opts.projectDir!);
    if (await loadsBeside(opts, plan, doUploads || doFiles)) {
      // Found first: once the main pass writes files, each of the walk's reads would wait behind
      // them in libuv's thread pool (5.4 s instead of 0.4 s on the bench's size 5).
      const start = await tablesStart(opts.file, inner);
      await allOrAbort([mainPass(true), tablesPass(start)], controller);
    } else await mainPass(false);
    // After both passes: an entry that does not match its manifest line is named first.
    if (fileHash && expectedSha256 && fileHash.digest() !== expectedSha256) throw new ArchiveRefusedError([shaMismatch(fileHash.digest(), expectedSha256)]);
    const tableEntryName = (t: { name: string }) => `${DB_PREFIX}${t.name}${TABLE_ENTRY_SUFFIX}`;
    const missing = [
      ...plan.tables.filter((t) => !(t.name in result.tables)).map(tableEntryName),
      ...manifest.tables.filter((t) => !tables.has(t.name) && !seen.has(tableEntryName(t))).map(tableEntryName),
      ...manifest.files.filter((f) => !seen.has(f.path)).map((f) => f.path),
      ...(seen.has(MANIFEST_NAME) ? [] : [MANIFEST_NAME]),
    ];
    if (missing.length) {
      throw new ArchiveRefusedError(
        missing.map((m) => `${m} is listed in the manifest but missing from the archive (damaged, or changed since it was checked)`),
      );
    }
    progress.complete('database');
    const opened = load as DatabaseLoad | null; // set by tableEntry (TypeScript cannot see it in a closure)
    load = null;
    await opened?.commit(signal);
  } catch (err) {
    await (load as DatabaseLoad | null)?.rollback();
    await Promise.all([uploads?.remove(), project?.remove()]);
    throw signal?.aborted ? abortError(signal) : await refusalIfDamaged(err, opts.file, opts.deferred);
  } finally {
    dispose();
  }
  await swapFiles(opts, uploads, project, result);
  progress.complete('done');
  progress.finish('restored');
  return result;
}

function listedFile(files: Map<string, FileManifest>, name: string): FileManifest {
  const listed = files.get(name);
  if (!listed) throw new ArchiveRefusedError([`entry ${JSON.stringify(name)} is not listed in the manifest`]);
  return listed;
}

/**
 * Whether the tables load from a reader of their own while the main pass stages the files. The
 * files come first in an archive and the tables last; on PostgreSQL and MySQL the load is mostly
 * the server's work, so it can run while this process writes and hashes the files. Not on SQLite,
 * whose load holds the app's only connection (it would hold it for the files' time too) and runs
 * on this thread anyway; not for an archive gzipped whole, which the second reader would inflate
 * again; and only where there are both tables and files.
 */
async function loadsBeside(opts: RestoreOptions, plan: RestorePlan, files: boolean): Promise<boolean> {
  return opts.dialect !== 'sqlite' && files && plan.tables.length > 0 && !(await startsWithGzipMagic(opts.file));
}

async function loadTable(
  load: DatabaseLoad,
  table: PlannedTable,
  entry: AsyncIterable<Buffer>,
  opts: RestoreOptions,
  progress: Reporter,
  signal: AbortSignal,
): Promise<number> {
  return loadTableEntry({
    entry,
    table,
    dialect: opts.dialect,
    writer: load.writer(table, opts.batchSize ?? DEFAULT_BATCH_SIZE),
    signal,
    onRows: (n) => progress.add('database', n, `table ${table.name}`),
  });
}

/** After the commit: uploads, then project files, into place; the old ones removed last (unless keepReplaced). */
async function swapFiles(opts: RestoreOptions, uploads: StagedDir | null, project: StagedDir | null, result: RestoreResult): Promise<void> {
  const olds: (string | null)[] = [];
  try {
    if (uploads) {
      olds.push(await uploads.swap());
      result.uploads = 'replaced';
    }
    if (project) {
      olds.push(...(await applyProjectFiles(project.dir, opts.projectDir!, { includeEnv: opts.includeEnv, exclude: opts.projectExclude })));
      result.projectFiles = 'replaced';
    }
  } catch (err) {
    await Promise.all([uploads?.remove(), project?.remove()]);
    const what = result.uploads === 'replaced' ? 'the project files' : 'the upload directory';
    const failure = new RestoreFailedError(
      `The database was restored, but ${what} could not be put in place (${(err as Error).message}); ${what} are as they were before the restore`,
      { cause: err },
    );
    failure.databaseRestored = true;
    throw failure;
  }
  result.files = (uploads?.files ?? 0) + (project?.files ?? 0);
  result.bytes = (uploads?.bytes ?? 0) + (project?.bytes ?? 0);
  if (!opts.keepReplaced) await Promise.all(olds.map((o) => removeOld(o).catch(() => undefined)));
}

function createReporter(opts: RestoreOptions, plan: RestorePlan, doUploads: boolean, doFiles: boolean): Reporter {
  const sizeOf = (keep: (path: string) => boolean) => opts.manifest.files.filter((f) => keep(f.path)).reduce((a, f) => a + f.size, 0);
  const uploadBytes = doUploads ? sizeOf((p) => p.startsWith(UPLOADS_PREFIX)) : 0;
  const fileBytes = doFiles ? sizeOf((p) => projectEntryPath(p, Boolean(opts.includeEnv)) !== null) : 0;
  const rows = plan.tables.reduce((a, t) => a + t.rows, 0);
  const weights: Partial<Record<RestoreStep, number>> = {};
  const fileShare = plan.tables.length ? 35 : 90;
  if (plan.tables.length) weights.database = uploadBytes + fileBytes > 0 ? 60 : 95;
  if (doUploads) weights.uploads = (fileShare * uploadBytes) / Math.max(1, uploadBytes + fileBytes) || 1;
  if (doFiles) weights.files = (fileShare * fileBytes) / Math.max(1, uploadBytes + fileBytes) || 1;
  weights.done = 5;
  const reporter = new ProgressReporter<RestoreStep>(opts.onProgress, weights, Date.now, PROGRESS_INTERVAL_MS, 'done');
  reporter.setTotal('database', rows);
  reporter.setTotal('uploads', uploadBytes);
  reporter.setTotal('files', fileBytes);
  return reporter;
}
