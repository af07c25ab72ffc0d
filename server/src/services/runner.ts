/**
 * Runs one backup for a record: wires the engine to Strapi (connection, paths, versions) and
 * keeps the record's status, progress and heartbeat up to date.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import type { Core } from '@strapi/strapi';
import { createBackup, type Dialect, type Progress } from '../engine';
import { PROGRESS_WRITE_MS } from '../constants';
import { errorMessage, getService, PLUGIN_VERSION } from '../utils';
import type { Profile } from './profiles';
import type { BackupRecord } from './records';


/** Identifies this process on records it runs, so operators can tell instances apart. */
export const WORKER_ID = `${os.hostname()}:${process.pid}`;

const isAbort = (error: unknown) => error instanceof Error && error.name === 'AbortError';

const createRunnerService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** Jobs running in this process, so a cancel can reach them. */
  const running = new Map<number, AbortController>();

  const uploadsDir = (): string | null => {
    // Files kept by a cloud provider are not on this disk; their rows are in the database dump.
    const provider = strapi.config.get('plugin::upload.provider', 'local');
    return provider === 'local' ? path.join(strapi.dirs.static.public, 'uploads') : null;
  };

  /** Writes progress and heartbeat at most every PROGRESS_WRITE_MS, never two writes at once. */
  const progressWriter = (recordId: number) => {
    const records = getService(strapi, 'records');
    let last = 0;
    let pending: Progress | null = null;
    let writing: Promise<void> = Promise.resolve();
    const write = (progress: Progress) => {
      writing = writing
        .then(() => records.update(recordId, { progress, heartbeatAt: new Date().toISOString() }))
        .catch((error) => {
          // A missed progress write is not worth failing a backup for; the next one catches up.
          strapi.log.warn(`[backup] record ${recordId}: could not write progress: ${errorMessage(error)}`);
        });
    };
    return {
      report(progress: Progress) {
        pending = progress;
        const now = Date.now();
        if (now - last >= PROGRESS_WRITE_MS) {
          last = now;
          write(progress);
          pending = null;
        }
      },
      async flush() {
        if (pending) write(pending);
        await writing;
      },
    };
  };

  return {
    isRunningHere: (recordId: number) => running.has(recordId),

    /** Asks a job running in this process to stop; false when it does not run here. */
    abort(recordId: number): boolean {
      const controller = running.get(recordId);
      controller?.abort();
      return Boolean(controller);
    },

    /**
     * Runs the backup of `record` to its end and returns the final record. Never throws for a
     * failed backup: the failure is recorded on the record.
     */
    async run(record: BackupRecord, profile: Profile, onProgress?: (progress: Progress) => void): Promise<BackupRecord> {
      const records = getService(strapi, 'records');
      const storage = getService(strapi, 'storage');
      const controller = new AbortController();
      running.set(record.id, controller);
      const startedAt = new Date();
      const writer = progressWriter(record.id);
      const scratch = storage.scratchDir(record.id);
      try {
        await records.update(record.id, {
          status: 'running',
          startedAt: startedAt.toISOString(),
          heartbeatAt: startedAt.toISOString(),
          worker: WORKER_ID,
          progress: { percent: 0, step: 'database' },
        });
        const directory = await storage.ensureDirectory();
        const archiveFile = storage.archiveName(profile.name, record.id, startedAt, profile.format);
        const result = await createBackup({
          knex: strapi.db.connection,
          dialect: strapi.db.dialect.client as Dialect,
          includeDatabase: profile.includeDatabase,
          excludeTables: profile.excludeTables ?? [],
          uploadsDir: profile.includeUploads ? uploadsDir() : null,
          projectDir: profile.includeProjectFiles ? strapi.dirs.app.root : null,
          projectExclude: [directory],
          includeEnv: profile.includeEnv,
          format: profile.format,
          outFile: path.join(directory, archiveFile),
          tmpDir: scratch,
          meta: {
            strapiVersion: strapi.config.get('info.strapi', null) as string | null,
            pluginVersion: PLUGIN_VERSION,
            profile: { documentId: profile.documentId, name: profile.name },
          },
          signal: controller.signal,
          onProgress: (progress: Progress) => {
            writer.report(progress);
            onProgress?.(progress);
          },
        });
        await writer.flush();
        await records.update(record.id, {
          status: 'completed',
          finishedAt: new Date().toISOString(),
          progress: { percent: 100, step: 'finalize' },
          stats: result.stats,
          archiveFile,
          archiveSize: result.size,
          archiveSha256: result.sha256,
          encrypted: false,
        });
      } catch (error) {
        await writer.flush();
        const cancelled = isAbort(error);
        await records.update(record.id, {
          status: cancelled ? 'cancelled' : 'failed',
          statusReason: cancelled ? 'user' : 'error',
          finishedAt: new Date().toISOString(),
          message: cancelled ? 'Cancelled before it finished; no archive was kept.' : errorMessage(error),
        });
        if (!cancelled) strapi.log.error(`[backup] record ${record.id} failed: ${errorMessage(error)}`);
      } finally {
        running.delete(record.id);
        await fs.rm(scratch, { recursive: true, force: true });
      }
      return (await records.findById(record.id)) as BackupRecord;
    },
  };
};

export type RunnerService = ReturnType<typeof createRunnerService>;
export default createRunnerService;
