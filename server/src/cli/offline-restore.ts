/**
 * The restore of an app that cannot boot — the very case a pre-update backup exists for: an
 * upgrade or a schema change broke the boot. Nothing of the app runs: the database connection and
 * the directories come from its configuration (offline-app.ts), and the queue's rules are kept
 * with plain knex in the plugin's tables (pre-sync/raw-records.ts): the site lock, no live job
 * running anywhere, no other restore pending, and a restore record in the history like any other.
 *
 * Then the engine does what the queue's restorer does: the archive checked, a safety backup
 * (createBackup directly: no worker can run one), the database and uploads (and with --files the
 * project files, so the old code comes back with its data) put back all or nothing.
 *
 * What it cannot do: tell running instances to answer 503 while it loads (none should run when the
 * app does not boot); restore an archive of another schema without --force.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { localUploadsDir } from '../backup-input';
import { EXIT, RESTORE_STEP_WEIGHTS } from '../../../shared/constants';
import { ArchiveRefusedError, checkArchive, restoreArchive, type Dialect, type Progress } from '../engine';
import { pickProfile } from '../pre-sync/claim';
import { keepAlive } from '../pre-sync/pre-sync-backup';
import { createRawRecords, type RawRecords } from '../pre-sync/raw-records';
import type { Profile, RestoreRequestOptions, RestoreSource } from '../../../shared/contracts';
import createRestorerService, { band, restoredMessage, type JobProgress } from '../services/restorer';
import { WORKER_ID } from '../services/worker';
import createStorageService from '../services/storage';
import { errorMessage, getConfig } from '../utils';
import type { ArchiveChoice } from './archive-choice';
import { CliError } from './errors';
import { resetCompiled } from './boot';
import { openOfflineApp } from './offline-app';
import { offlineSafetyBackup } from './offline-safety-backup';
import { printJson, progressPrinter } from './output';
import { confirmPlan } from './restore-plan';

export interface OfflineRequest {
  appDir: string;
  /** A file already resolved to an absolute path. */
  choice: ArchiveChoice;
  options: RestoreRequestOptions;
  yes: boolean;
  json: boolean;
  debug: boolean;
  bootError: string;
}

type Located = { file: string; source: RestoreSource; profile: Profile };

/** The archive and the profile the restore is filed under, read from the plugin's tables. */
const locate = async (strapi: Core.Strapi, raw: RawRecords, choice: ArchiveChoice): Promise<Located> => {
  const profiles = await raw.profiles();
  if ('file' in choice) {
    return { file: choice.file, source: { record: null, archiveFile: null, path: choice.file, sha256: null }, profile: pickProfile(profiles, null) };
  }
  const record = await raw.find(choice.record);
  if (!record) throw new CliError(`No backup record ${choice.record}`);
  if (record.kind !== 'backup' || record.status !== 'completed' || !record.archiveFile) {
    throw new CliError(`Record ${record.id} is a ${record.status} ${record.kind}: only a completed backup with an archive can be restored.`);
  }
  const file = createStorageService({ strapi }).resolve(String(record.archiveFile));
  if (!fs.existsSync(file)) throw new CliError(`Record ${record.id} has no archive to restore (${record.archiveFile} is not in the backup directory).`);
  const profile = profiles.find((p) => p.id === record.profileId) ?? pickProfile(profiles, null);
  const source = {
    record: String(record.documentId),
    archiveFile: String(record.archiveFile),
    path: null,
    sha256: (record.archiveSha256 as string | null) ?? null,
  };
  return { file, source, profile };
};

/** Checks, backs up, restores; returns the record's completed message. Throws as the restorer does. */
const run = async (
  strapi: Core.Strapi,
  raw: RawRecords,
  located: Located,
  options: RestoreRequestOptions,
  signal: AbortSignal,
  report: (p: JobProgress) => void,
) => {
  const knex = strapi.db.connection;
  const dialect = strapi.db.dialect.client as Dialect;
  const keepTables = createRestorerService({ strapi }).keepTables();
  const check = await checkArchive(located.file, {
    knex,
    dialect,
    keepTables,
    expectedSha256: located.source.sha256 ?? undefined,
    // Nothing between the check and the restore to waste: the restore checks every entry as it reads them.
    deferEntries: !options.safetyBackup,
    signal,
    onProgress: band(0, RESTORE_STEP_WEIGHTS.verify, report),
  });
  if (check.errors.length > 0) throw new ArchiveRefusedError(check.errors);
  if (check.differences.length > 0 && !options.force) {
    throw new ArchiveRefusedError(
      check.differences,
      'The archive does not match this database (--force restores the part they have in common); nothing was changed',
    );
  }
  const safety = options.safetyBackup ? await offlineSafetyBackup(strapi, raw, located.profile, options, signal, report) : null;
  const result = await restoreArchive({
    knex,
    dialect,
    file: located.file,
    manifest: check.manifest!,
    deferred: check.deferred,
    keepTables,
    force: options.force,
    uploadsDir: localUploadsDir(strapi),
    projectDir: options.files ? strapi.dirs.app.root : null,
    restoreFiles: options.files,
    includeEnv: options.env,
    projectExclude: [createStorageService({ strapi }).directory()],
    signal,
    onProgress: band(RESTORE_STEP_WEIGHTS.verify + (safety ? RESTORE_STEP_WEIGHTS['safety-backup'] : 0), 100, report),
  });
  const compiled = result.projectFiles === 'replaced' ? await resetCompiled(strapi.dirs.app.root) : '';
  return {
    result,
    message:
      restoredMessage(result, located.source.archiveFile ?? path.basename(located.file)) +
      (safety ? ` The site as it was is in the safety backup, record ${safety}.` : ' No safety backup was taken (--no-safety-backup).') +
      (compiled ? ` ${compiled}` : ''),
  };
};

const say = (json: boolean, line: string) => {
  if (!json) process.stderr.write(`${line}\n`);
};

/** The offline restore from start to exit code (0 restored, 1 failed, 3 rejected, 4 refused). */
export const restoreOffline = async (request: OfflineRequest): Promise<number> => {
  const { options, json } = request;
  // Said even with --json (on stderr): the operator must know the app did not boot, and why.
  process.stderr.write(`strapi-backup: the app does not boot: ${request.bootError}\n`);
  process.stderr.write('strapi-backup: restoring offline: the database and the uploads are read from the app’s configuration, without starting Strapi.\n');
  const strapi = await openOfflineApp(request.appDir, request.debug);
  try {
    const raw = createRawRecords(strapi);
    const located = await locate(strapi, raw, request.choice);
    const safetyNote = options.safetyBackup
      ? 'A safety backup of the site as it is now is taken first (by this process: no worker can run while the app does not boot).'
      : 'No safety backup is taken (--no-safety-backup).';
    if (!request.yes) {
      if (!(await confirmPlan(strapi, located.file, options, safetyNote))) return EXIT.failed;
    } else say(json, safetyNote);

    const claim = await raw.claimSite(
      located.profile.id,
      {
        kind: 'restore',
        trigger: 'cli',
        worker: WORKER_ID,
        queuedAt: new Date(),
        restoreSource: located.source,
        restoreOptions: options,
        message: `Offline restore: the app did not boot (${request.bootError}).`,
      },
      getConfig(strapi).heartbeatMs,
    );
    if ('busy' in claim) {
      const { id, worker, status } = claim.busy;
      const message =
        status === 'queued'
          ? `A restore of the site is already pending (record ${id}). Wait for it to finish or cancel it.`
          : `A job is running on the site (record ${id}${worker ? `, on ${worker}` : ''}); a restore runs alone. Wait for it to finish or cancel it.`;
      if (json) printJson({ error: { reason: status === 'queued' ? 'restore-pending' : 'busy', message, record: { id } } });
      process.stderr.write(`strapi-backup: ${message}\n`);
      return EXIT.rejected;
    }

    const controller = new AbortController();
    let stopped: string | null = null;
    const stop = (why: string) => {
      stopped ??= why;
      controller.abort();
    };
    const alive = keepAlive(strapi, raw, claim.id, stop);
    const interrupt = () => stop('interrupted (SIGINT/SIGTERM)');
    process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
    const printer = json ? null : progressPrinter();
    const report = (p: JobProgress) => {
      alive.report(p as Progress);
      printer?.update(p as Progress);
    };
    say(json, `Restore started offline (record ${claim.id}).`);
    let code: number = EXIT.ok;
    try {
      const { result, message } = await run(strapi, raw, located, options, controller.signal, report);
      await raw.updateRunning(claim.id, { status: 'completed', finishedAt: new Date(), progress: { percent: 100, step: 'done' }, stats: result, message });
      printer?.update({ step: 'done' as Progress['step'], percent: 100 });
    } catch (error) {
      const refused = error instanceof ArchiveRefusedError;
      code = refused ? EXIT.verifyFailed : EXIT.failed;
      const message = stopped ? `Stopped: ${stopped}. The site was left as it was.` : errorMessage(error);
      await raw.updateRunning(claim.id, {
        status: stopped ? 'cancelled' : 'failed',
        statusReason: stopped ? 'user' : refused ? 'refused' : 'error',
        finishedAt: new Date(),
        message,
      });
    } finally {
      printer?.done();
      alive.stop();
      process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
    }
    const record = await raw.find(String(claim.id));
    if (json) printJson({ ...record, offline: true, bootError: request.bootError });
    else if (code === EXIT.ok) process.stdout.write(`Restore completed offline: ${record?.message}\n`);
    else process.stderr.write(`Restore ${record?.status}${record?.statusReason ? ` (${record.statusReason})` : ''}: ${record?.message}\n`);
    return code;
  } finally {
    await strapi.db.destroy();
  }
};
