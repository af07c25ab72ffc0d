/**
 * Checks made before a job is queued, so a request that cannot succeed is refused at once with
 * a reason the user can act on (a 400 through the API).
 */
import fs from 'node:fs/promises';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { encryptionRefusal } from '../backup-input';
import { DISK_MARGIN } from '../../../shared/constants';
import { formatBytes } from '../../../shared/format';
import { errorMessage, getService } from '../utils';
import type { Profile } from '../../../shared/contracts';

const createPreflightService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Throws a ValidationError for a request that cannot succeed. */
  async check(profile: Profile): Promise<void> {
    if (profile.encrypt) throw new errors.ValidationError(encryptionRefusal(profile));
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

    // A backup that cannot fit fails after minutes of work, or fills the disk the site writes to.
    const last = await getService(strapi, 'records').lastCompletedOf(profile.id);
    const lastSize = Number(last?.archiveSize ?? 0);
    if (lastSize > 0) {
      const free = await storage.freeSpace();
      const needed = lastSize * DISK_MARGIN;
      if (free < needed) {
        throw new errors.ValidationError(
          `Only ${formatBytes(free)} free in ${directory}; the last backup of “${profile.name}” took ${formatBytes(lastSize)}, so this one needs about ${formatBytes(needed)}. Free some space (delete old backups, or lower the profile's retention) and try again.`,
          { free, needed },
        );
      }
    }
  },
});

export default createPreflightService;
