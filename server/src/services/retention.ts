/**
 * A profile's retention (`retainCount`, `retainDays`): archives past the newest N, or older than N
 * days, are deleted from disk, and their records stay as history without an archive. Empty or 0
 * keeps everything. Applied when a backup of the profile completes, when its rules are made
 * stricter, and once a day on Strapi's cron for every profile (with the check of the directory).
 *
 * Never removed: the profile's newest archive, a record an admin marked `keep`, and the safety
 * copies taken before Strapi or a restore changed data (pre-update, pre-uninstall, pre-restore)
 * until they are `retention.safetyBackupDays` old. Exempt archives do not count towards the N.
 * Queued and running jobs have no archive yet, so nothing of theirs is ever touched.
 */
import fs from 'node:fs/promises';
import type { Core } from '@strapi/strapi';
import { RETENTION_JOB, SAFETY_TRIGGERS, UID } from '../../../shared/constants';
import { errorMessage, getConfig, getService } from '../utils';
import type { BackupRecord, Profile } from '../../../shared/contracts';

const DAY_MS = 24 * 60 * 60 * 1000;

type Rules = Pick<Profile, 'retainCount' | 'retainDays'>;
type Candidate = Pick<BackupRecord, 'id' | 'finishedAt' | 'trigger' | 'keep'>;

const olderThan = (record: Candidate, days: number, now: number) => Boolean(record.finishedAt) && Date.parse(record.finishedAt as string) < now - days * DAY_MS;

/**
 * Which of a profile's archives (completed backups that still have one, newest first) the rules
 * let go, and why.
 */
export const expiredArchives = (
  newestFirst: Candidate[],
  { retainCount, retainDays }: Rules,
  { safetyBackupDays, now = Date.now() }: { safetyBackupDays: number; now?: number },
): { id: number; reason: string }[] => {
  let counted = 0;
  return newestFirst.flatMap((record, index) => {
    if (record.keep) return [];
    if (SAFETY_TRIGGERS.includes(record.trigger) && !olderThan(record, safetyBackupDays, now)) return [];
    counted += 1;
    if (index === 0) return [];
    if (retainCount && counted > retainCount) return [{ id: record.id, reason: `the profile keeps its last ${retainCount}` }];
    if (retainDays && olderThan(record, retainDays, now)) {
      return [{ id: record.id, reason: `the profile keeps ${retainDays} ${retainDays === 1 ? 'day' : 'days'} of backups` }];
    }
    return [];
  });
};

/** True when `after` may let go of archives `before` kept: a rule set where there was none, or lowered. */
export const retentionTightened = (before: Rules, after: Rules): boolean =>
  (['retainCount', 'retainDays'] as const).some((rule) => Boolean(after[rule]) && (!before[rule] || (after[rule] as number) < (before[rule] as number)));

const createRetentionService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Applies the profile's rules; returns how many archives it removed. */
  async apply(profile: Profile): Promise<number> {
    if (!profile.retainCount && !profile.retainDays) return 0;
    const query = strapi.db.query(UID.record);
    const archives: (Candidate & { archiveFile: string })[] = await query.findMany({
      where: { profile: { id: profile.id }, kind: 'backup', status: 'completed', archiveFile: { $notNull: true } },
      orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
      select: ['id', 'finishedAt', 'archiveFile', 'trigger', 'keep'],
    });
    const byId = new Map(archives.map((r) => [r.id, r]));
    let removed = 0;
    for (const { id, reason } of expiredArchives(archives, profile, { safetyBackupDays: getConfig(strapi).retention.safetyBackupDays })) {
      const file = byId.get(id)!.archiveFile;
      // Conditional, so two instances applying it at once remove each archive once, and an archive
      // an admin marked kept since the read above stays.
      const { count } = await query.updateMany({
        where: { id, archiveFile: file, $or: [{ keep: false }, { keep: { $null: true } }] },
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

  /** Applies the profile's rules, logging rather than throwing: its caller's own work is done. */
  async applySafely(profile: Profile): Promise<number> {
    return this.apply(profile).catch((error: unknown) => {
      strapi.log.warn(`[backup] retention of “${profile.name}”: ${errorMessage(error)}`);
      return 0;
    });
  },

  /**
   * What the daily cron job runs on every instance: each profile's rules (the conditional update
   * makes each removal happen once), then the check of the directory against the records.
   */
  async daily(): Promise<{ removed: number }> {
    let removed = 0;
    for (const profile of await getService(strapi, 'profiles').list()) removed += await this.applySafely(profile);
    await getService(strapi, 'storageReport').check();
    return { removed };
  },

  register() {
    strapi.cron.add({
      [RETENTION_JOB]: {
        task: () => this.daily().catch((error: unknown) => strapi.log.error(`[backup] daily retention: ${errorMessage(error)}`)),
        options: { rule: getConfig(strapi).retention.cron },
      },
    });
  },

  unregister() {
    strapi.cron.remove(RETENTION_JOB);
  },
});

export default createRetentionService;
