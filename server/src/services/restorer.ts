/**
 * Runs one restore for a claimed record, in the order a site owner can trust:
 *
 * 1. verify: the whole archive checked (a record's by its recorded sha256, a file's by the sha256
 *    of every entry and the row counts; no path escapes, see checkArchive) and its tables compared
 *    with the database; a refusal (ArchiveRefusedError) changes nothing. Without a safety backup
 *    only the manifest is read here, and step 3 checks the rest as it reads the archive, before
 *    its commit (deferEntries: one read of the archive instead of two).
 * 2. safety-backup: unless asked not to, a backup of the current site (trigger `pre-restore`, the
 *    whole database and the uploads), a record like any other, to undo the restore with.
 * 3. database, uploads, files: the engine loads the database in one transaction and swaps the
 *    uploads (and project files, from the CLI) in after the commit.
 *
 * The site answers 503 from the moment the job starts until it ends (restore-gate.ts). The
 * plugin's own tables are never touched, so the history, this record included, survives.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { localUploadsDir, writeSafetyBackup } from '../backup-input';
import { ArchiveRefusedError, checkArchive, restoreArchive, type Progress, type RestoreProgress, type RestoreResult } from '../engine';
import { RESTORE_STEP_WEIGHTS, UID } from '../../../shared/constants';
import { formatBytes } from '../../../shared/format';
import { getConfig, getService } from '../utils';
import type { BackupRecord, RestoreRequestOptions, RestoreSource } from '../../../shared/contracts';
import type { EnqueueResult } from './queue-rules';
import { WORKER_ID } from './worker';

export const DEFAULT_RESTORE_OPTIONS: RestoreRequestOptions = { safetyBackup: true, force: false, files: false, env: false };

/** A job's progress as its record holds it (a restore's steps: RESTORE_STEPS). */
export type JobProgress = NonNullable<BackupRecord['progress']>;

interface JobContext {
  signal: AbortSignal;
  report(progress: JobProgress): void;
}

/** Maps a step's own 0–100 onto its share of the restore's bar, under `step` when given. */
export const band = (from: number, to: number, report: JobContext['report'], step?: string) => (p: RestoreProgress | Progress) =>
  report({ step: step ?? p.step, percent: Math.floor(from + ((to - from) * p.percent) / 100), ...(p.detail ? { detail: p.detail } : {}) });

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** What the record says once the site is restored. */
export const restoredMessage = (result: RestoreResult, from: string): string => {
  const rows = Object.values(result.tables).reduce((a, n) => a + n, 0);
  const parts = [`Restored ${plural(Object.keys(result.tables).length, 'table')} (${plural(rows, 'row')}) from ${from}`];
  if (result.uploads === 'replaced') parts.push('the uploads');
  if (result.projectFiles === 'replaced') parts.push('the project files');
  if (parts.length > 1) parts[parts.length - 1] += ` (${plural(result.files, 'file')}, ${formatBytes(result.bytes)})`;
  const skipped = [...result.skipped.tables.map((t) => `table ${t}`), ...result.skipped.columns.map((c) => `column ${c}`)];
  return (
    `${parts.join(', ')}.` +
    (skipped.length ? ` Not restored (not in this database): ${skipped.join(', ')}.` : '') +
    (result.untouched.length ? ` Left as they were (not in the archive): ${result.untouched.join(', ')}.` : '') +
    ' Restart Strapi (every instance) so that it reads the restored site.'
  );
};

const createRestorerService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** The plugin's own tables and their link tables: never emptied, loaded or compared. */
  const keepTables = (): string[] =>
    [UID.profile, UID.record].flatMap((uid) => {
      const meta = strapi.db.metadata.get(uid) as unknown as { tableName: string; attributes: Record<string, { joinTable?: { name: string } }> };
      return [meta.tableName, ...Object.values(meta.attributes).flatMap((a) => (a.joinTable ? [a.joinTable.name] : []))];
    });

  /** Where the archive is: a name in the storage directory (checked to stay in it), or the CLI's path. */
  const archivePathOf = (source: RestoreSource): string => {
    if (source.path) return path.resolve(source.path);
    if (!source.archiveFile) throw new Error('This restore record names no archive.');
    return getService(strapi, 'storage').resolve(source.archiveFile);
  };

  /** The backup taken before anything changes: a `pre-restore` record of the restore's profile. */
  const safetyBackup = async (restore: BackupRecord, options: RestoreRequestOptions, job: JobContext) => {
    const profiles = getService(strapi, 'profiles');
    const records = getService(strapi, 'records');
    const profile = (restore.profile && (await profiles.findById(restore.profile.id))) || (await profiles.findDefault());
    if (!profile) throw new Error('No backup profile exists for the safety backup.');
    const now = new Date();
    const record = await records.create({
      profile: profile.id,
      kind: 'backup',
      trigger: 'pre-restore',
      status: 'running',
      worker: WORKER_ID,
      heartbeatAt: now,
    });
    await records.update(record.id, { startedAt: now.toISOString() });
    getService(strapi, 'notifier').emitById(record.id);
    // Its own heartbeat: the failsafe of another instance must not take it for a lost job.
    const beat = setInterval(() => {
      records.update(record.id, { heartbeatAt: new Date().toISOString() }).catch(() => undefined);
    }, getConfig(strapi).heartbeatMs);
    try {
      await writeSafetyBackup(strapi, {
        recordId: record.id,
        profile,
        files: options.files,
        startedAt: now,
        storage: getService(strapi, 'storage'),
        signal: job.signal,
        onProgress: band(RESTORE_STEP_WEIGHTS.verify, RESTORE_STEP_WEIGHTS.verify + RESTORE_STEP_WEIGHTS['safety-backup'], job.report, 'safety-backup'),
        finish: (fields) => getService(strapi, 'queue').finish(record.id, fields),
      });
      return record.id;
    } finally {
      clearInterval(beat);
    }
  };

  return {
    keepTables,

    /**
     * Queues a restore of a completed backup's archive (admin, CLI) or of an archive file (CLI
     * only; never a path from a request). The queue runs it alone on the site.
     */
    async request({
      from,
      options,
      trigger,
      requestedBy = null,
      pinnedTo = null,
    }: {
      from: { record: BackupRecord } | { path: string };
      options: Partial<RestoreRequestOptions>;
      trigger: 'admin' | 'cli';
      requestedBy?: number | null;
      pinnedTo?: string | null;
    }): Promise<EnqueueResult> {
      const profiles = getService(strapi, 'profiles');
      let source: RestoreSource;
      let profile = null;
      if ('record' in from) {
        const { record } = from;
        if (record.kind !== 'backup' || record.status !== 'completed') {
          throw new errors.ValidationError(`Record ${record.id} is a ${record.status} ${record.kind}: only a completed backup can be restored.`);
        }
        const file = record.archiveFile ? getService(strapi, 'storage').resolve(record.archiveFile) : null;
        if (
          !file ||
          !(await fs.stat(file).then(
            (s) => s.isFile(),
            () => false,
          ))
        ) {
          throw new errors.ValidationError(
            `Record ${record.id} has no archive to restore${record.archiveFile ? ` (${record.archiveFile} is not in the backup directory)` : ''}.`,
          );
        }
        source = { record: record.documentId, archiveFile: record.archiveFile, path: null, sha256: record.archiveSha256 };
        profile = record.profile ? await profiles.findById(record.profile.id) : null;
      } else {
        source = { record: null, archiveFile: null, path: path.resolve(from.path), sha256: null };
      }
      profile ??= await profiles.findDefault();
      if (!profile) throw new errors.NotFoundError('No backup profile exists to file the restore under.');
      return getService(strapi, 'queue').enqueue({
        profile,
        kind: 'restore',
        trigger,
        requestedBy,
        restore: { source, options: { ...DEFAULT_RESTORE_OPTIONS, ...options } },
        pinnedTo,
      });
    },

    /**
     * Restores the record's archive; returns the record's completed fields. Throws
     * ArchiveRefusedError when the archive is refused, any other error when the restore failed:
     * in both cases the site is as it was (unless the error says the database was restored).
     */
    async run(record: BackupRecord, job: JobContext): Promise<Partial<BackupRecord> & { status: 'completed' }> {
      const source = record.restoreSource;
      if (!source) throw new Error('This restore record names no archive.');
      const options = { ...DEFAULT_RESTORE_OPTIONS, ...record.restoreOptions };
      const file = archivePathOf(source);
      const knex = strapi.db.connection;
      const dialect = strapi.db.dialect.client as 'sqlite' | 'postgres' | 'mysql';
      const keep = keepTables();
      const loadFrom = RESTORE_STEP_WEIGHTS.verify + (options.safetyBackup ? RESTORE_STEP_WEIGHTS['safety-backup'] : 0);

      const check = await checkArchive(file, {
        knex,
        dialect,
        keepTables: keep,
        expectedSha256: source.sha256 ?? undefined,
        // Nothing between the check and the restore to waste: the restore checks every entry as it reads them.
        deferEntries: !options.safetyBackup,
        signal: job.signal,
        onProgress: band(0, RESTORE_STEP_WEIGHTS.verify, job.report),
      });
      if (check.errors.length > 0) throw new ArchiveRefusedError(check.errors);
      if (check.differences.length > 0 && !options.force) {
        throw new ArchiveRefusedError(
          check.differences,
          'The archive does not match this database (force restores the part they have in common); nothing was changed',
        );
      }
      const safety = options.safetyBackup ? await safetyBackup(record, options, job) : null;
      const result = await restoreArchive({
        knex,
        dialect,
        file,
        manifest: check.manifest!,
        deferred: check.deferred,
        keepTables: keep,
        force: options.force,
        uploadsDir: localUploadsDir(strapi),
        projectDir: options.files ? strapi.dirs.app.root : null,
        restoreFiles: options.files,
        includeEnv: options.env,
        projectExclude: [getService(strapi, 'storage').directory()],
        // Removed by the runner once the site answers again (a large site's uploads take seconds).
        keepReplaced: true,
        signal: job.signal,
        onProgress: band(loadFrom, 100, job.report),
      });
      const from = source.archiveFile ?? path.basename(file);
      return {
        status: 'completed' as const,
        progress: { percent: 100, step: 'done' },
        stats: result as unknown as BackupRecord['stats'],
        message: restoredMessage(result, from) + (safety ? ` The site as it was is in the safety backup, record ${safety}.` : ''),
      };
    },
  };
};

export default createRestorerService;
