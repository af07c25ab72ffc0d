/**
 * The backup taken before Strapi's schema sync, to its end, while the boot waits: the tables the
 * sync is about to drop are still there. It is a record like any other (trigger `pre-update` or
 * `pre-uninstall`, the change in its message) and obeys the queue's rule of one running job per
 * profile. It does not wait behind queued jobs: the boot cannot go on until it is done.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { backupInput, completedFields } from '../backup-input';
import { createBackup, type Progress } from '../engine';
import { formatBytes } from '../../../shared/format';
import type { Profile } from '../../../shared/contracts';
import { errorMessage, getConfig, getService } from '../utils';
import type { Change } from './changes';
import { claimWhenFree, pickProfile, type Recheck } from './claim';
import { WaitedTooLong } from './errors';
import { createRawRecords, type RawRecords } from './raw-records';

/**
 * Proves the job alive (so the failsafe of a running instance leaves it alone), writes its
 * progress, and stops it when its record was ended or a cancel was asked elsewhere.
 */
export const keepAlive = (strapi: Core.Strapi, raw: RawRecords, recordId: number, abort: (why: string) => void) => {
  let progress: Progress | null = null;
  const beat = async () => {
    if (!(await raw.updateRunning(recordId, { heartbeatAt: new Date(), ...(progress ? { progress } : {}) }))) {
      abort('its record was ended by another instance');
    } else if (await raw.cancelRequested(recordId)) {
      abort('it was cancelled');
    }
  };
  const timer = setInterval(() => {
    beat().catch((error) => strapi.log.warn(`[backup] record ${recordId}: heartbeat failed: ${errorMessage(error)}`));
  }, getConfig(strapi).heartbeatMs);
  return {
    report: (next: Progress) => void (progress = next),
    stop: () => clearInterval(timer),
  };
};

/** Runs the engine for the claimed record and marks it completed; throws on any failure. */
const runBackup = async (strapi: Core.Strapi, raw: RawRecords, recordId: number, profile: Profile) => {
  const storage = getService(strapi, 'storage');
  const controller = new AbortController();
  let stopped: string | null = null;
  const alive = keepAlive(strapi, raw, recordId, (why) => {
    stopped = why;
    controller.abort();
  });
  const tmpDir = storage.scratchDir(recordId);
  try {
    const directory = await storage.ensureDirectory();
    const archiveFile = storage.archiveName(profile.name, recordId, new Date(), profile.format);
    const outFile = path.join(directory, archiveFile);
    const result = await createBackup({
      // The whole database whatever the profile says: a table it excludes may be the one the sync
      // drops. Uploads and project files follow the profile.
      ...backupInput(strapi, { ...profile, includeDatabase: true, excludeTables: [] }, { directory, outFile, tmpDir }),
      signal: controller.signal,
      onProgress: alive.report,
    }).catch((error: unknown) => {
      throw stopped ? new Error(`the backup stopped: ${stopped}`) : error;
    });
    const kept = await raw.updateRunning(recordId, { ...completedFields(result, archiveFile), finishedAt: new Date(), eventPending: true });
    if (!kept) {
      await fs.rm(outFile, { force: true });
      throw new Error('its record was ended by another instance while the backup ran');
    }
    return { archiveFile, size: result.size };
  } finally {
    alive.stop();
    // A scratch directory that cannot be removed must not hide why the backup failed; ENOTDIR
    // means a file stands where the directory would be, so there is none to remove.
    await fs.rm(tmpDir, { recursive: true, force: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTDIR') strapi.log.warn(`[backup] record ${recordId}: could not remove ${tmpDir}: ${errorMessage(error)}`);
    });
  }
};

/** The boot error: what failed, what the sync would have destroyed, and how to boot anyway. */
export const failureMessage = (change: Change, cause: string): string => {
  const at = change.losses.length > 0 ? `would lose: ${change.losses.join('; ')}` : `would change: ${change.lines.join('; ')}`;
  return (
    `[backup] The ${change.trigger} backup taken before Strapi's database schema sync failed: ${cause}. ` +
    `The boot stopped before the sync, so the database is untouched; without a backup this boot ${at}. ` +
    'Fix the cause and start again, or set hooks.failOpen: true (config/plugins → backup.config) to boot anyway without a backup.'
  );
};

/**
 * Takes the backup. On failure the record says so (the hook's own, or a new `failed` one when it
 * never started); then the boot stops with `failureMessage`, unless `hooks.failOpen` lets it go on.
 */
export const takePreSyncBackup = async (strapi: Core.Strapi, first: Change, recheck: Recheck): Promise<void> => {
  const raw = createRawRecords(strapi);
  let change = first;
  let profile: Profile | null = null;
  let recordId: number | null = null;
  try {
    profile = pickProfile(await raw.profiles(), getConfig(strapi).hooks.profile);
    strapi.log.info(`[backup] This boot changes the database (${change.lines.join('; ')}): taking a ${change.trigger} backup of “${profile.name}” first.`);
    const claimed = await claimWhenFree(strapi, raw, profile, change, recheck);
    if (!claimed) return;
    ({ id: recordId, change } = claimed);
    const done = await runBackup(strapi, raw, recordId, profile);
    strapi.log.info(`[backup] ${change.trigger} backup done: record ${recordId}, ${done.archiveFile} (${formatBytes(done.size)}).`);
  } catch (error) {
    const cause = errorMessage(error);
    const failed = {
      trigger: change.trigger,
      status: 'failed',
      statusReason: error instanceof WaitedTooLong ? 'busy' : 'error',
      finishedAt: new Date(),
      message: `Backup failed: ${cause}. Not backed up: ${change.lines.join('; ')}`,
      eventPending: true,
    };
    const written = recordId !== null ? raw.updateRunning(recordId, failed) : profile ? raw.recordFailure(profile.id, failed) : null;
    await written?.catch((e: unknown) => strapi.log.error(`[backup] could not record the failed ${change.trigger} backup: ${errorMessage(e)}`));
    const message = failureMessage(change, cause);
    if (!getConfig(strapi).hooks.failOpen) throw new Error(message, { cause: error });
    strapi.log.error(`${message} Booting anyway: hooks.failOpen is true.`);
  }
};
