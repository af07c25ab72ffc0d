/**
 * Runs one backup for a record: wires the engine to Strapi (connection, paths, versions) and
 * keeps the record's status, progress and heartbeat up to date.
 */
import path from 'node:path';
import fs from 'node:fs/promises';
import type { Core } from '@strapi/strapi';
import { backupInput, completedFields } from '../backup-input';
import { ArchiveRefusedError, RestoreFailedError, createBackup, type Progress } from '../engine';
import { PROGRESS_WRITE_MS, RECORD_WRITE_ATTEMPTS, RECORD_WRITE_RETRY_MS, UID } from '../../../shared/constants';
import { errorMessage, getConfig, getService } from '../utils';
import type { BackupRecord, Profile } from '../../../shared/contracts';
import type { JobProgress } from './restorer';

const isAbort = (error: unknown) => error instanceof Error && error.name === 'AbortError';

/** How a record ends when this process stops its job. */
const STOPPED = {
  user: { status: 'cancelled', message: 'Cancelled while running.' },
  'worker-stopped': { status: 'failed', message: 'Its worker shut down before the job finished.' },
} as const;

/**
 * Why a running job was stopped. A timeout or a lost worker was already written on the record by
 * whoever found it (the failsafe, before it aborts the job), or the job's own heartbeat found the
 * record no longer running: either way the record is final, so the runner leaves it be.
 */
export type StopReason = keyof typeof STOPPED | 'timeout' | 'worker-lost';
const endedElsewhere = (reason: StopReason | null): reason is 'timeout' | 'worker-lost' => reason === 'timeout' || reason === 'worker-lost';

const createRunnerService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** Jobs running in this process, so a cancel can reach them. */
  const running = new Map<number, { controller: AbortController; reason: StopReason | null }>();

  /**
   * Writes progress at most every PROGRESS_WRITE_MS, never two writes at once, and never more than
   * one waiting: while a write waits for a connection (a SQLite restore holds the only one), later
   * reports replace each other instead of piling up.
   */
  const progressWriter = (recordId: number) => {
    let last = 0;
    let pending: JobProgress | null = null;
    let inFlight = false;
    let writing: Promise<void> = Promise.resolve();
    const write = (progress: JobProgress) => {
      inFlight = true;
      writing = writing
        .then(async () => {
          await strapi.db.query(UID.record).updateMany({ where: { id: recordId, status: 'running' }, data: { progress } });
        })
        .catch((error) => {
          // A missed progress write is not worth failing a job for; the next one catches up.
          strapi.log.warn(`[backup] record ${recordId}: could not write progress: ${errorMessage(error)}`);
        })
        .finally(() => {
          inFlight = false;
        });
    };
    return {
      report(progress: JobProgress) {
        pending = progress;
        const now = Date.now();
        if (now - last >= PROGRESS_WRITE_MS && !inFlight) {
          last = now;
          write(progress);
          pending = null;
        }
      },
      async flush() {
        await writing;
        if (pending) write(pending);
        pending = null;
        await writing;
      },
    };
  };

  /**
   * Proves the job alive every heartbeatMs and looks for a cancel asked from another process.
   * A heartbeat that no longer matches a running record means the failsafe gave up on the job.
   */
  const startHeartbeat = (recordId: number, stop: (reason: StopReason) => void) => {
    const query = strapi.db.query(UID.record);
    const beat = async () => {
      const { count } = await query.updateMany({ where: { id: recordId, status: 'running' }, data: { heartbeatAt: new Date() } });
      if (count === 0) return stop('worker-lost');
      const row = await query.findOne({ where: { id: recordId }, select: ['cancelRequested'] });
      if (row?.cancelRequested) stop('user');
    };
    const timer = setInterval(() => {
      beat().catch((error) => strapi.log.warn(`[backup] record ${recordId}: heartbeat failed: ${errorMessage(error)}`));
    }, getConfig(strapi).heartbeatMs);
    return { stop: () => clearInterval(timer) };
  };

  /**
   * Marks the record completed, trying again on a database error (a restart, a lost connection):
   * the archive is done, and minutes of work should not be lost to one failed write.
   */
  const recordCompleted = async (recordId: number, fields: Partial<BackupRecord> & { status: 'completed' }): Promise<boolean> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await getService(strapi, 'queue').finish(recordId, fields);
      } catch (error) {
        if (attempt >= RECORD_WRITE_ATTEMPTS) throw error;
        strapi.log.warn(`[backup] record ${recordId}: could not record the finished backup (attempt ${attempt}): ${errorMessage(error)}`);
        await new Promise((resolve) => setTimeout(resolve, RECORD_WRITE_RETRY_MS * attempt));
      }
    }
  };

  /** The backup itself: the archive, its completed record, then the profile's retention. */
  const runBackup = async (
    record: BackupRecord,
    profile: Profile,
    signal: AbortSignal,
    writer: ReturnType<typeof progressWriter>,
    outcome: { archivePath: string | null },
  ) => {
    const storage = getService(strapi, 'storage');
    const directory = await storage.ensureDirectory();
    const archiveFile = storage.archiveName(profile.name, record.id, record.startedAt ? new Date(record.startedAt) : new Date(), profile.format);
    const archivePath = path.join(directory, archiveFile);
    outcome.archivePath = archivePath;
    const result = await createBackup({
      ...backupInput(strapi, profile, { directory, outFile: archivePath, tmpDir: storage.scratchDir(record.id) }),
      signal,
      onProgress: (progress: Progress) => writer.report(progress),
    });
    await writer.flush();
    const kept = await recordCompleted(record.id, completedFields(result, archiveFile)).catch((error: unknown) => {
      throw new Error(`The archive was written but could not be recorded (${errorMessage(error)}); it was removed.`);
    });
    // The failsafe gave up on this job while it ran: its record says so, the archive must go.
    if (!kept) await fs.rm(archivePath, { force: true });
    else await getService(strapi, 'retention').applySafely(profile);
    outcome.archivePath = null;
  };

  return {
    /** Asks a job running in this process to stop; false when it does not run here. */
    abort(recordId: number, reason: StopReason): boolean {
      const job = running.get(recordId);
      if (job && !job.reason) {
        job.reason = reason;
        job.controller.abort();
      }
      return Boolean(job);
    },

    /** Whether a job runs in this process (the failsafe leaves those to their own heartbeat). */
    isRunningHere: (recordId: number): boolean => running.has(recordId),

    /**
     * Runs the job of `record` to its end and returns the final record. Never throws for a failed
     * job: the failure is recorded on the record.
     */
    async run(record: BackupRecord): Promise<BackupRecord> {
      // Registered before anything is awaited: a worker stopping right after its claim aborts the
      // job here; found only after a lookup, it would have run to its end whatever the grace.
      const job = { controller: new AbortController(), reason: null as StopReason | null };
      running.set(record.id, job);
      const writer = progressWriter(record.id);
      const heartbeat = startHeartbeat(record.id, (reason) => this.abort(record.id, reason));
      const outcome = { archivePath: null as string | null };
      const restore = record.kind === 'restore';
      const gate = getService(strapi, 'restoreGate');
      if (restore) gate.begin(record.id, record.documentId);
      try {
        if (restore) {
          const fields = await getService(strapi, 'restorer').run(record, {
            signal: job.controller.signal,
            report: (progress) => {
              gate.report(progress);
              writer.report(progress);
            },
          });
          await writer.flush();
          await recordCompleted(record.id, fields);
          gate.end(true);
          // The replaced uploads go only now, outside the 503 window (the restorer kept them);
          // should this process die first, the next boot removes them (failsafe.removeOrphans).
          await getService(strapi, 'failsafe')
            .removeRestoreLeftovers()
            .catch((error: unknown) => strapi.log.warn(`[backup] record ${record.id}: the replaced files could not be removed: ${errorMessage(error)}`));
        } else {
          const profile = record.profile ? await getService(strapi, 'profiles').findById(record.profile.id) : null;
          if (!profile) throw new Error('Its profile no longer exists.');
          await runBackup(record, profile, job.controller.signal, writer, outcome);
        }
      } catch (error) {
        // Never an archive without its completed record: a record that says failed, or a job the
        // failsafe later marks lost, must not leave a complete-looking archive behind.
        if (outcome.archivePath) await fs.rm(outcome.archivePath, { force: true });
        await writer.flush();
        const reason = isAbort(error) ? (job.reason ?? 'user') : null;
        const restored = error instanceof RestoreFailedError && error.databaseRestored;
        // MySQL: a swap whose last steps failed (a lock wait, say) is tried once more before the
        // site answers again; else the next boot or restore finishes it (engine/swap-load.ts).
        if (restored)
          await getService(strapi, 'failsafe')
            .finishTableSwap()
            .catch((failure: unknown) => strapi.log.warn(`[backup] record ${record.id}: ${errorMessage(failure)}`));
        if (restore) gate.end(restored);
        if (reason && !endedElsewhere(reason)) {
          const { status, message } = STOPPED[reason];
          await getService(strapi, 'queue').finish(record.id, {
            status,
            statusReason: reason,
            message: `${message} ${restore ? 'The site was left as it was.' : 'No archive was kept.'}`,
          });
        } else if (!reason) {
          await getService(strapi, 'queue').finish(record.id, {
            status: 'failed',
            statusReason: error instanceof ArchiveRefusedError ? 'refused' : 'error',
            message: errorMessage(error),
          });
          strapi.log.error(`[backup] record ${record.id} failed: ${errorMessage(error)}`);
        }
      } finally {
        heartbeat.stop();
        running.delete(record.id);
        await fs.rm(getService(strapi, 'storage').scratchDir(record.id), { recursive: true, force: true });
      }
      return (await getService(strapi, 'records').findById(record.id)) as BackupRecord;
    },
  };
};

export default createRunnerService;
