/**
 * What the engine needs to back up a profile of this site: the connection, which parts of the
 * site the profile includes, and where they are. Shared by every caller of `createBackup`, and the
 * safety backup a restore takes first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { createBackup, type BackupOptions, type BackupResult, type Dialect, type Progress } from './engine';
import type { Profile } from '../../shared/contracts';
import type createStorageService from './services/storage';
import { PLUGIN_VERSION, errorMessage, getConfig } from './utils';

/** The upload directory on this disk; null when a cloud provider keeps the files (their rows are in the dump). */
export const localUploadsDir = (strapi: Core.Strapi): string | null => {
  const provider = strapi.config.get('plugin::upload.provider', 'local');
  return provider === 'local' ? path.join(strapi.dirs.static.public, 'uploads') : null;
};

/** Said wherever a profile asks for encryption this version cannot give (preflight, runner, hooks). */
export const encryptionRefusal = (profile: Pick<Profile, 'name'>) =>
  `The profile “${profile.name}” asks for encrypted archives, but encryption is not available yet in this version of the plugin; no unencrypted archive was written. Turn encrypt off on the profile.`;

export const backupInput = (
  strapi: Core.Strapi,
  profile: Profile,
  where: { directory: string; outFile: string; tmpDir: string },
): Omit<BackupOptions, 'signal' | 'onProgress'> => {
  // Never a plain archive for a profile that asked for encryption (saved before it was refused).
  if (profile.encrypt) throw new Error(encryptionRefusal(profile));
  return {
    knex: strapi.db.connection,
    dialect: strapi.db.dialect.client as Dialect,
    includeDatabase: profile.includeDatabase,
    excludeTables: profile.excludeTables ?? [],
    uploadsDir: profile.includeUploads ? localUploadsDir(strapi) : null,
    projectDir: profile.includeProjectFiles ? strapi.dirs.app.root : null,
    // The archives themselves are never project files.
    projectExclude: [where.directory],
    // A server setting: .env holds the secrets that sign every admin session.
    includeEnv: getConfig(strapi).includeEnv,
    format: profile.format,
    outFile: where.outFile,
    tmpDir: where.tmpDir,
    meta: {
      strapiVersion: strapi.config.get('info.strapi', null) as string | null,
      pluginVersion: PLUGIN_VERSION,
      profile: { documentId: profile.documentId, name: profile.name },
    },
  };
};

/** What a record says once its archive is written (every caller of `createBackup` records the same). */
export const completedFields = (result: BackupResult, archiveFile: string) => ({
  status: 'completed' as const,
  progress: { percent: 100, step: 'finalize' as const },
  stats: result.stats,
  archiveFile,
  archiveSize: result.size,
  archiveSha256: result.sha256,
  encrypted: false,
});

/** Where archives and scratch files go (services/storage.ts). */
type Storage = ReturnType<typeof createStorageService>;

export interface SafetyBackupJob {
  /** The `pre-restore` record its caller made, `running`. */
  recordId: number;
  profile: Profile;
  /** The restore's `files`: when it puts the project files back, the safety backup keeps them too. */
  files: boolean;
  startedAt: Date;
  storage: Storage;
  signal?: AbortSignal;
  onProgress: (progress: Progress) => void;
  /** Saves the record's ending: the archive's fields, or `failed` with why. */
  finish(fields: ReturnType<typeof completedFields> | { status: 'failed'; statusReason: 'error'; message: string }): Promise<unknown>;
}

/**
 * A restore's safety backup, for the queue's restorer and the CLI's offline restore alike: the whole
 * database and the uploads, whatever the profile leaves out, since they are what the restore replaces.
 * When it fails, the record says why and the error thrown stops the restore before anything changed.
 */
export const writeSafetyBackup = async (strapi: Core.Strapi, job: SafetyBackupJob): Promise<void> => {
  const { profile, storage } = job;
  const directory = await storage.ensureDirectory();
  const archiveFile = storage.archiveName(profile.name, job.recordId, job.startedAt, profile.format);
  const whole = { ...profile, includeDatabase: true, excludeTables: [], includeUploads: true, includeProjectFiles: profile.includeProjectFiles || job.files };
  try {
    const result = await createBackup({
      ...backupInput(strapi, whole, { directory, outFile: path.join(directory, archiveFile), tmpDir: storage.scratchDir(job.recordId) }),
      signal: job.signal,
      onProgress: job.onProgress,
    });
    await job.finish(completedFields(result, archiveFile));
  } catch (error) {
    await job.finish({ status: 'failed', statusReason: 'error', message: `The safety backup before a restore failed: ${errorMessage(error)}` });
    throw new Error(`The safety backup of the current site failed (${errorMessage(error)}); nothing was restored.`, { cause: error });
  } finally {
    fs.rmSync(storage.scratchDir(job.recordId), { recursive: true, force: true });
  }
};
