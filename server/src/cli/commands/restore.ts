import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { EXIT, UID } from '../../../../shared/constants';
import type { BackupRecord, RestoreRequestOptions } from '../../../../shared/contracts';
import { WORKER_ID } from '../../services/worker';
import { getConfig, getService } from '../../utils';
import { archiveFile, chooseArchive, type ArchiveChoice } from '../archive-choice';
import { resetCompiled } from '../boot';
import type { CommandContext } from '../context';
import { BootError, CliError, usageError } from '../errors';
import { restoreOffline } from '../offline-restore';
import { printJson } from '../output';
import { assertConfirmable, confirmPlan } from '../restore-plan';
import { follow } from './run';

/** The longest a timer waits (2^31 - 1 ms): how long this process lets its own restore finish. */
const UNTIL_DONE_MS = 2 ** 31 - 1;

const optionsOf = (flags: CommandContext['flags']): RestoreRequestOptions => {
  if (flags.env && !flags.files) throw usageError('--env puts .env back with the project files: add --files');
  // Commander's --no-safety-backup: safetyBackup is true unless it was given.
  return { safetyBackup: flags.safetyBackup !== false, force: Boolean(flags.force), files: Boolean(flags.files), env: Boolean(flags.env) };
};

/** The archive to restore: a completed backup's, or a file named on the command line. */
const locate = async (strapi: Core.Strapi, choice: ArchiveChoice): Promise<{ file: string; from: { record: BackupRecord } | { path: string } }> => {
  if ('file' in choice) return { file: choice.file, from: { path: choice.file } };
  const record = await getService(strapi, 'records').findByRef(choice.record);
  if (!record) throw new CliError(`No backup record ${choice.record}`);
  if (!record.archiveFile) throw new CliError(`Record ${record.id} has no archive (status ${record.status}).`);
  return { file: getService(strapi, 'storage').resolve(record.archiveFile), from: { record } };
};

/**
 * While the restore waits behind running jobs, this process proves itself alive on its record: the
 * failsafe cancels a restore pinned to a process that stopped beating.
 */
const beatWhileQueued = (strapi: Core.Strapi, recordId: number) => {
  const timer = setInterval(() => {
    strapi.db
      .query(UID.record)
      .updateMany({ where: { id: recordId, status: 'queued' }, data: { heartbeatAt: new Date() } })
      .catch(() => undefined);
  }, getConfig(strapi).heartbeatMs);
  return () => clearInterval(timer);
};

/**
 * This process's worker runs the restore (pinned to it) and nothing else: once it claimed the
 * restore it claims no more, so the backups queued behind the restore are left to the site's workers.
 */
const runHere = (strapi: Core.Strapi, recordId: number) => {
  const worker = getService(strapi, 'worker');
  let stopping: Promise<void> | null = null;
  strapi.eventHub.on('restore.started', async ({ record }: { record: { id: number } }) => {
    if (record.id === recordId) stopping ??= worker.stop(UNTIL_DONE_MS);
  });
  worker.start();
  return () => stopping ?? worker.stop(UNTIL_DONE_MS);
};

const exitOf = (record: BackupRecord) => (record.status === 'completed' ? EXIT.ok : record.statusReason === 'refused' ? EXIT.verifyFailed : EXIT.failed);

/** Booted: through the queue, as the admin's restore goes, run and followed in this process. */
const restoreBooted = async (
  ctx: CommandContext,
  strapi: Core.Strapi,
  choice: ArchiveChoice,
  options: RestoreRequestOptions,
  yes: boolean,
): Promise<number> => {
  const { file, from } = await locate(strapi, choice);
  if (!yes) {
    const safetyNote = options.safetyBackup ? 'A safety backup of the site as it is now is taken first.' : 'No safety backup is taken (--no-safety-backup).';
    if (!(await confirmPlan(strapi, file, options, safetyNote))) return EXIT.failed;
  }
  const result = await getService(strapi, 'restorer')
    .request({ from, options, trigger: 'cli', pinnedTo: WORKER_ID })
    .catch((error: unknown) => {
      // A record that is not a completed backup, an archive gone from the directory: said in one line.
      throw error instanceof errors.ValidationError || error instanceof errors.NotFoundError ? new CliError(error.message) : error;
    });
  if (!result.accepted) {
    if (ctx.json) printJson({ error: { reason: result.reason, message: result.message, record: result.record } });
    process.stderr.write(`strapi-backup: ${result.message}\n`);
    return EXIT.rejected;
  }
  if (!ctx.json) process.stderr.write(`${result.message} (record ${result.record.id})\n`);
  const stopBeat = beatWhileQueued(strapi, result.record.id);
  const finish = runHere(strapi, result.record.id);
  try {
    const done = await follow(
      strapi,
      result.record,
      result.position,
      ctx.json,
      'Restore queued: waiting for the running jobs to finish (no new job starts meanwhile)…',
    );
    await finish();
    const compiled = (done.stats as { projectFiles?: string } | null)?.projectFiles === 'replaced' ? await resetCompiled(ctx.appDir) : '';
    if (compiled && !ctx.json) process.stderr.write(`${compiled}\n`);
    if (ctx.json) printJson(done);
    else if (done.status === 'completed') process.stdout.write(`Restore completed: ${done.message}\n`);
    else process.stderr.write(`Restore ${done.status}${done.statusReason ? ` (${done.statusReason})` : ''}: ${done.message ?? 'no reason recorded'}\n`);
    return exitOf(done);
  } finally {
    stopBeat();
  }
};

/**
 * `restore <archive> [--yes] [--no-safety-backup] [--force] [--files] [--env]`: through the queue
 * when the app boots; offline (offline-restore.ts) when it cannot.
 */
export const restore = async (ctx: CommandContext): Promise<number> => {
  const options = optionsOf(ctx.flags);
  const picked = chooseArchive(ctx, 'restore');
  // Resolved before the boot changes directory into the app.
  const choice: ArchiveChoice = 'file' in picked ? { file: archiveFile(picked) } : picked;
  const yes = Boolean(ctx.flags.yes);
  assertConfirmable(yes);
  let strapi: Core.Strapi;
  try {
    strapi = await ctx.strapi();
  } catch (error) {
    if (!(error instanceof BootError)) throw error;
    return restoreOffline({ appDir: ctx.appDir, choice, options, yes, json: ctx.json, debug: Boolean(ctx.flags.debug), bootError: error.message });
  }
  return restoreBooted(ctx, strapi, choice, options, yes);
};
