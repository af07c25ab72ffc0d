/**
 * The offline restore's safety backup (offline-restore.ts): no worker runs, so the engine writes it
 * directly, filed as a `pre-restore` record like the queue's, whole database and uploads.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { backupInput, completedFields } from '../backup-input';
import { RESTORE_STEP_WEIGHTS } from '../../../shared/constants';
import type { Profile, RestoreRequestOptions } from '../../../shared/contracts';
import { createBackup } from '../engine';
import { keepAlive } from '../pre-sync/pre-sync-backup';
import type { RawRecords } from '../pre-sync/raw-records';
import { band, type JobProgress } from '../services/restorer';
import createStorageService from '../services/storage';
import { WORKER_ID } from '../services/worker';
import { errorMessage } from '../utils';

/** The safety backup, a `pre-restore` record like the queue's: the whole database and the uploads. */
export const offlineSafetyBackup = async (
  strapi: Core.Strapi,
  raw: RawRecords,
  profile: Profile,
  options: RestoreRequestOptions,
  signal: AbortSignal,
  report: (p: JobProgress) => void,
): Promise<number> => {
  const storage = createStorageService({ strapi });
  const now = new Date();
  const id = await raw.insert(profile.id, { kind: 'backup', trigger: 'pre-restore', status: 'running', worker: WORKER_ID, startedAt: now, heartbeatAt: now });
  const alive = keepAlive(strapi, raw, id, () => undefined);
  const directory = await storage.ensureDirectory();
  const archiveFile = storage.archiveName(profile.name, id, now, profile.format);
  try {
    const result = await createBackup({
      ...backupInput(
        strapi,
        { ...profile, includeDatabase: true, excludeTables: [], includeUploads: true, includeProjectFiles: profile.includeProjectFiles || options.files },
        {
          directory,
          outFile: path.join(directory, archiveFile),
          tmpDir: storage.scratchDir(id),
        },
      ),
      signal,
      onProgress: band(RESTORE_STEP_WEIGHTS.verify, RESTORE_STEP_WEIGHTS.verify + RESTORE_STEP_WEIGHTS['safety-backup'], report, 'safety-backup'),
    });
    await raw.updateRunning(id, { ...completedFields(result, archiveFile), finishedAt: new Date() });
    return id;
  } catch (error) {
    await raw.updateRunning(id, {
      status: 'failed',
      statusReason: 'error',
      finishedAt: new Date(),
      message: `The safety backup before a restore failed: ${errorMessage(error)}`,
    });
    throw new Error(`The safety backup of the current site failed (${errorMessage(error)}); nothing was restored.`, { cause: error });
  } finally {
    alive.stop();
    fs.rmSync(storage.scratchDir(id), { recursive: true, force: true });
  }
};
