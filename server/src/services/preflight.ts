/**
 * Checks made before a job is queued, so a request that cannot succeed is refused at once with
 * a reason the user can act on. Errors refuse the request (400); warnings are only reported.
 */
import fs from 'node:fs/promises';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { formatBytes } from '../format';
import { errorMessage, getConfig, getService } from '../utils';
import type { Profile } from './profiles';

/** Free space asked for beyond the last archive's size, as archives grow with the site. */
export const DISK_MARGIN = 1.2;

const createPreflightService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Throws a ValidationError for a request that cannot succeed; returns the warnings otherwise. */
  async check(profile: Profile): Promise<{ warnings: string[] }> {
    const storage = getService(strapi, 'storage');
    const directory = storage.directory();
    try {
      await storage.ensureDirectory();
    } catch (error) {
      throw new errors.ValidationError(`The backup directory ${directory} cannot be created: ${errorMessage(error)}`);
    }
    try {
      await fs.access(directory, fs.constants.W_OK);
    } catch {
      throw new errors.ValidationError(`The backup directory ${directory} is not writable by the Strapi process.`);
    }
    if (profile.encrypt && !getConfig(strapi).encryptionKey) {
      throw new errors.ValidationError(
        `The profile “${profile.name}” encrypts its archives, but no encryption key is configured (config/plugins → backup.config.encryptionKey).`
      );
    }

    const warnings: string[] = [];
    const last = await getService(strapi, 'records').lastCompletedOf(profile.id);
    const lastSize = Number(last?.archiveSize ?? 0);
    if (lastSize > 0) {
      const { bavail, bsize } = await fs.statfs(directory);
      const free = bavail * bsize;
      const needed = lastSize * DISK_MARGIN;
      if (free < needed) {
        warnings.push(
          `Only ${formatBytes(free)} free in ${directory}; the last backup of “${profile.name}” took ${formatBytes(lastSize)}, so this one may not fit (about ${formatBytes(needed)} recommended).`
        );
      }
    }
    return { warnings };
  },
});

export type PreflightService = ReturnType<typeof createPreflightService>;
export default createPreflightService;
