/** What the admin widget shows at a glance, from a few aggregate queries (never a full scan). */
import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import type { BackupRecord } from './records';

const POPULATE = { profile: { select: ['id', 'documentId', 'name'] } };

export interface Summary {
  queued: number;
  running: BackupRecord[];
  lastCompleted: BackupRecord | null;
  lastFailed: BackupRecord | null;
  /** A restore is queued or running: what the Content Manager warns editors about. */
  restorePending: boolean;
}

const createSummaryService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async get(): Promise<Summary> {
    const query = strapi.db.query(UID.record);
    const latest = (status: 'completed' | 'failed'): Promise<BackupRecord | null> =>
      query.findOne({ where: { status }, orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }], populate: POPULATE });
    const [queued, running, lastCompleted, lastFailed, restores] = await Promise.all([
      query.count({ where: { status: 'queued' } }),
      // At most one per profile runs, so this list stays as short as the profile list.
      query.findMany({ where: { status: 'running' }, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }], populate: POPULATE }),
      latest('completed'),
      latest('failed'),
      query.count({ where: { kind: 'restore', status: { $in: ['queued', 'running'] } } }),
    ]);
    return { queued: Number(queued), running, lastCompleted, lastFailed, restorePending: Number(restores) > 0 };
  },
});

export type SummaryService = ReturnType<typeof createSummaryService>;
export default createSummaryService;
