/**
 * The offline restore's safety backup (offline-restore.ts): no worker runs, so the engine writes it
 * directly, filed as a `pre-restore` record like the queue's, whole database and uploads.
 */
import type { Core } from '@strapi/strapi';
import { writeSafetyBackup } from '../backup-input';
import { RESTORE_STEP_WEIGHTS } from '../../../shared/constants';
import type { Profile, RestoreRequestOptions } from '../../../shared/contracts';
import { keepAlive } from '../pre-sync/pre-sync-backup';
import type { RawRecords } from '../pre-sync/raw-records';
import { band, type JobProgress } from '../services/restorer';
import createStorageService from '../services/storage';
import { WORKER_ID } from '../services/worker';

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
  try {
    await writeSafetyBackup(strapi, {
      recordId: id,
      profile,
      files: options.files,
      startedAt: now,
      storage,
      signal,
      onProgress: band(RESTORE_STEP_WEIGHTS.verify, RESTORE_STEP_WEIGHTS.verify + RESTORE_STEP_WEIGHTS['safety-backup'], report, 'safety-backup'),
      finish: (fields) => raw.updateRunning(id, { ...fields, finishedAt: new Date() }),
    });
    return id;
  } finally {
    alive.stop();
  }
};
