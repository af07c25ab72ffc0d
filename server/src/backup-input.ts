/**
 * What the engine needs to back up a profile of this site: the connection, which parts of the
 * site the profile includes, and where they are. Shared by every caller of `createBackup`.
 */
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import type { BackupOptions, BackupResult, Dialect } from './engine';
import type { Profile } from '../../shared/contracts';
import { PLUGIN_VERSION, getConfig } from './utils';

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
