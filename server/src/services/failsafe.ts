/**
 * The failsafe, on Strapi's cron: nothing stays `running` forever. A job whose heartbeat lapsed
 * (its worker died: OOM, kill -9, a lost machine) becomes `failed` / `worker-lost`; one running
 * longer than its profile's timeoutMinutes is stopped and becomes `cancelled` / `timeout`. Both
 * free the profile, so the next queued job starts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { localUploadsDir } from '../backup-input';
import { finishInterruptedSwap, restoreLeftovers } from '../engine';
import { lostEnding } from '../endings';
import { HEARTBEAT_LAPSE_BEATS as LAPSE_BEATS, UID } from '../../../shared/constants';
import { errorMessage, getConfig, getService } from '../utils';
import type { BackupRecord } from '../../../shared/contracts';

export const FAILSAFE_JOB = 'backup-failsafe';

const createFailsafeService = ({ strapi }: { strapi: Core.Strapi }) => {
  const records = () => strapi.db.query(UID.record);

  /**
   * A dead worker leaves its scratch directory and a `.partial` archive behind, or even a finished
   * archive it died before recording. Names end in `-<record id>.tar…`, so they are found here.
   */
  const removeLeftovers = async (recordId: number) => {
    const storage = getService(strapi, 'storage');
    await fs.rm(storage.scratchDir(recordId), { recursive: true, force: true });
    const dir = storage.directory();
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const ours = new RegExp(`-${recordId}\\.tar(\\.gz)?(\\.partial)?$`);
    await Promise.all(names.filter((n) => ours.test(n)).map((n) => fs.rm(path.join(dir, n), { force: true })));
  };

  /**
   * MySQL: a restore whose process died after swapping its tables in left their keys on the
   * replaced tables; one that died while loading left new tables (engine/swap-load.ts). Finished
   * or dropped here; never while a restore swaps, which holds the lock this waits for.
   */
  const finishTableSwap = async (): Promise<void> => {
    if (strapi.db.dialect.client !== 'mysql') return;
    const { finished, dropped } = await finishInterruptedSwap(strapi.db.connection);
    if (finished.length)
      strapi.log.warn(`[backup] a restore stopped right after its commit: its foreign keys are back on the ${finished.length} table(s) it restored`);
    if (dropped.length) strapi.log.info(`[backup] removed ${dropped.length} table(s) a restore that stopped before its commit was loading`);
  };

  /**
   * A restore that died leaves hidden staging (or set-aside) directories beside or in the uploads
   * and in the app directory; a completed one leaves the set-aside files it replaced, for the
   * runner to remove here once the site answers again. Removed only when no restore runs
   * anywhere: one at a time on a site.
   */
  const removeRestoreLeftovers = async (): Promise<string[]> => {
    if ((await records().count({ where: { kind: 'restore', status: 'running' } })) > 0) return [];
    await finishTableSwap();
    const uploads = localUploadsDir(strapi);
    const found = await restoreLeftovers([strapi.dirs.static.public, strapi.dirs.app.root, ...(uploads ? [uploads] : [])]);
    await Promise.all(found.map((dir) => fs.rm(dir, { recursive: true, force: true })));
    return found;
  };

  return {
    removeRestoreLeftovers,
    finishTableSwap,
    /**
     * At boot: what crashed jobs left on disk (a boot killed during a pre-update backup leaves its
     * scratch directory and partial archive, and no later job of that record will remove them).
     * Never what a job running now owns, here or on another instance; a running job whose worker
     * died is the sweep's, which removes its files when it marks it lost.
     */
    async removeOrphans(): Promise<number> {
      const found = await getService(strapi, 'storage').leftovers();
      const ids = [...new Set(found.map((entry) => entry.recordId))];
      const running: Pick<BackupRecord, 'id'>[] = ids.length
        ? await records().findMany({ where: { id: { $in: ids }, status: 'running' }, select: ['id'] })
        : [];
      const alive = new Set(running.map((record) => record.id));
      const orphans = found.filter((entry) => !alive.has(entry.recordId)).map((entry) => entry.path);
      await Promise.all(orphans.map((file) => fs.rm(file, { recursive: true, force: true })));
      orphans.push(...(await removeRestoreLeftovers()));
      if (orphans.length > 0)
        strapi.log.info(
          `[backup] removed ${orphans.length} file(s) left by jobs that ended without cleaning up: ${orphans.map((file) => path.basename(file)).join(', ')}`,
        );
      return orphans.length;
    },

    /** One pass; returns how many jobs it ended. */
    async sweep(now = new Date()): Promise<{ lost: number; timedOut: number }> {
      const { heartbeatMs } = getConfig(strapi);
      const lapse = new Date(now.getTime() - LAPSE_BEATS * heartbeatMs);
      // Running jobs, and restores waiting for the CLI process that asked (pinned: it beats while it waits).
      const stale: BackupRecord[] = await records().findMany({
        where: { heartbeatAt: { $lt: lapse }, $or: [{ status: 'running' }, { status: 'queued', kind: 'restore', worker: { $notNull: true } }] },
        select: ['id', 'kind', 'status'],
      });
      let lost = 0;
      for (const { id, kind, status } of stale) {
        // A job of this process proves itself alive here; on SQLite a restore's load holds the only
        // connection, so its heartbeats wait while it is very much alive.
        if (getService(strapi, 'runner').isRunningHere(id)) continue;
        const { count } = await records().updateMany({
          where: { id, status, heartbeatAt: { $lt: lapse } },
          data: lostEnding({ kind, status }, now, LAPSE_BEATS * heartbeatMs),
        });
        if (count === 1) {
          lost += 1;
          getService(strapi, 'notifier').emitById(id);
          await removeLeftovers(id);
          if (kind === 'restore') await removeRestoreLeftovers();
        }
      }

      const running: BackupRecord[] = await records().findMany({
        where: { status: 'running' },
        populate: { profile: { select: ['timeoutMinutes'] } },
      });
      let timedOut = 0;
      for (const record of running) {
        const minutes = (record.profile as { timeoutMinutes?: number } | null)?.timeoutMinutes ?? 30;
        if (!record.startedAt || Date.parse(record.startedAt) + minutes * 60000 > now.getTime()) continue;
        const { count } = await records().updateMany({
          where: { id: record.id, status: 'running' },
          data: {
            status: 'cancelled',
            statusReason: 'timeout',
            finishedAt: now,
            message: `Stopped after running longer than its profile’s timeout (${minutes} min); no archive was kept.`,
          },
        });
        if (count === 1) {
          timedOut += 1;
          getService(strapi, 'notifier').emitById(record.id);
          // Here, stop it at once; elsewhere its next heartbeat finds the record no longer running.
          getService(strapi, 'runner').abort(record.id, 'timeout');
        }
      }
      if (lost + timedOut > 0) {
        strapi.log.warn(`[backup] failsafe: ${lost} job(s) lost, ${timedOut} timed out`);
        getService(strapi, 'worker').kick();
      }
      return { lost, timedOut };
    },

    register() {
      strapi.cron.add({
        [FAILSAFE_JOB]: {
          task: () => this.sweep().catch((error: unknown) => strapi.log.error(`[backup] failsafe: ${errorMessage(error)}`)),
          options: { rule: getConfig(strapi).failsafeCron },
        },
      });
    },

    unregister() {
      strapi.cron.remove(FAILSAFE_JOB);
    },
  };
};

export default createFailsafeService;
