/**
 * A profile's retention (`retainCount`, `retainDays`), applied each time one of its backups
 * completes: archives past the newest N, or older than N days, are deleted from disk, and their
 * records stay as history without an archive. Empty or 0 keeps everything.
 *
 * Never removed: the profile's newest archive, and the safety copies taken before Strapi changed
 * or dropped data at boot (pre-update, pre-uninstall), which only a person deletes.
 */
import fs from 'node:fs/promises';
import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { errorMessage, getService } from '../utils';
import type { Profile } from './profiles';
import type { BackupRecord } from './records';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Which of a profile's archives, newest first, the rules let go, and why. */
export const expiredArchives = (
  newestFirst: Pick<BackupRecord, 'id' | 'finishedAt'>[],
  { retainCount, retainDays }: Pick<Profile, 'retainCount' | 'retainDays'>,
  now = Date.now()
): { id: number; reason: string }[] =>
  newestFirst.flatMap((record, index) => {
    if (index === 0) return [];
    if (retainCount && index >= retainCount) return [{ id: record.id, reason: `the profile keeps its last ${retainCount}` }];
    if (retainDays && record.finishedAt && Date.parse(record.finishedAt) < now - retainDays * DAY_MS) {
      return [{ id: record.id, reason: `the profile keeps ${retainDays} ${retainDays === 1 ? 'day' : 'days'} of backups` }];
    }
    return [];
  });

const createRetentionService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Applies the profile's rules; returns how many archives it removed. */
  async apply(profile: Profile): Promise<number> {
    if (!profile.retainCount && !profile.retainDays) return 0;
    const query = strapi.db.query(UID.record);
    const kept: BackupRecord[] = await query.findMany({
      where: { profile: { id: profile.id }, status: 'completed', archiveFile: { $notNull: true }, trigger: { $notIn: ['pre-update', 'pre-uninstall'] } },
      orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
      select: ['id', 'finishedAt', 'archiveFile'],
    });
    const byId = new Map(kept.map((r) => [r.id, r]));
    let removed = 0;
    for (const { id, reason } of expiredArchives(kept, profile)) {
      const file = byId.get(id)!.archiveFile as string;
      // Conditional, so two instances finishing at once remove each archive once.
      const { count } = await query.updateMany({
        where: { id, archiveFile: file },
        data: { archiveFile: null, message: `Archive ${file} removed: ${reason}.` },
      });
      if (count === 0) continue;
      removed += 1;
      await fs.rm(getService(strapi, 'storage').resolve(file), { force: true }).catch((error: unknown) => {
        strapi.log.warn(`[backup] retention could not remove ${file}: ${errorMessage(error)}`);
      });
    }
    if (removed > 0) strapi.log.info(`[backup] retention of “${profile.name}”: removed ${removed} old ${removed === 1 ? 'archive' : 'archives'}.`);
    return removed;
  },
});

export type RetentionService = ReturnType<typeof createRetentionService>;
export default createRetentionService;
