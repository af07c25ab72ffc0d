/**
 * What the admin widget shows at a glance, from a few aggregate queries (never a full scan), and
 * the bare activity the Content Manager warns every editor about.
 */
import type { Core } from '@strapi/strapi';
import { ACTIVE_STATUSES, UID, type RecordKind, type RecordStatus } from '../../../shared/constants';
import type { Activity, BackupRecord, Summary } from '../../../shared/contracts';
import { getService } from '../utils';

const POPULATE = { profile: { select: ['id', 'documentId', 'name'] } };

const createSummaryService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async get(): Promise<Summary> {
    const query = strapi.db.query(UID.record);
    const latest = (where: { status: RecordStatus; kind?: RecordKind }): Promise<BackupRecord | null> =>
      query.findOne({ where, orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }], populate: POPULATE });
    const [queued, running, lastCompleted, lastFailed, restores] = await Promise.all([
      query.count({ where: { status: 'queued' } }),
      // At most one per profile runs, so this list stays as short as the profile list.
      query.findMany({ where: { status: 'running' }, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }], populate: POPULATE }),
      // The last good copy of the site: a completed restore is none.
      latest({ status: 'completed', kind: 'backup' }),
      // A failed restore is a failure worth seeing as much as a failed backup.
      latest({ status: 'failed' }),
      query.count({ where: { kind: 'restore', status: { $in: ACTIVE_STATUSES } } }),
    ]);
    return { queued: Number(queued), running, lastCompleted, lastFailed, restorePending: Number(restores) > 0 };
  },

  /**
   * Polled by every open edit view of every editor, so one query that reads two columns of the
   * jobs that have not ended: at most one running per profile plus its queue (maxQueueDepth),
   * however many finished records the table holds.
   */
  async activity(): Promise<Activity> {
    const active: { kind: RecordKind; status: RecordStatus }[] = await strapi.db
      .query(UID.record)
      .findMany({ select: ['kind', 'status'], where: { status: { $in: ACTIVE_STATUSES } } });
    const any = (kind: RecordKind, status?: RecordStatus) => active.some((r) => r.kind === kind && (!status || r.status === status));
    return {
      backupRunning: any('backup', 'running'),
      backupQueued: any('backup', 'queued'),
      restorePending: any('restore'),
      restartRequired: getService(strapi, 'restoreGate').restartRequired,
    };
  },
});

export default createSummaryService;
