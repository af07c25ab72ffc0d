/** Backup and restore records: one row per attempt. */
import type { Core } from '@strapi/strapi';
import { UID, isFinalStatus, type RecordKind, type RecordStatus, type StatusReason, type Trigger } from '../../../shared/constants';
import type { BackupRecord, RestoreRequestOptions, RestoreSource } from '../../../shared/contracts';

export interface ListFilters {
  status?: RecordStatus;
  kind?: RecordKind;
  profile?: string;
  page?: number;
  pageSize?: number;
}

const POPULATE = { profile: { select: ['id', 'documentId', 'name'] } };

const createRecordsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const query = () => strapi.db.query(UID.record);

  return {
    async create(data: {
      profile: number;
      kind: RecordKind;
      trigger: Trigger;
      requestedBy?: number | null;
      status?: RecordStatus;
      statusReason?: StatusReason | null;
      message?: string | null;
      idempotencyKey?: string | null;
      restoreSource?: RestoreSource | null;
      restoreOptions?: RestoreRequestOptions | null;
      /** Only this worker may claim it (a CLI restore runs in the process that asked). */
      worker?: string | null;
      heartbeatAt?: Date | null;
    }): Promise<BackupRecord> {
      // Through the query engine, as every other write of a record. The document service and the
      // read back took 7 queries to this one's 5, in the queue's locked transaction, and sent
      // Strapi's entry.create event to the site's webhooks for records no other write announces.
      // `documentId` comes from the model's default; `publishedAt` is what the document service
      // sets on a type without drafts (pre-sync/raw-records.ts writes the same).
      const now = new Date();
      return query().create({ data: { status: 'queued', queuedAt: now, requestedBy: null, publishedAt: now, ...data }, populate: POPULATE });
    },

    async findById(id: number): Promise<BackupRecord | null> {
      return query().findOne({ where: { id }, populate: POPULATE });
    },

    async findByDocumentId(documentId: string): Promise<BackupRecord | null> {
      return query().findOne({ where: { documentId }, populate: POPULATE });
    },

    /** A record by numeric id or documentId, as people type them on a command line. */
    async findByRef(ref: string): Promise<BackupRecord | null> {
      return /^\d+$/.test(ref) ? this.findById(Number(ref)) : this.findByDocumentId(ref);
    },

    async update(id: number, data: Partial<Omit<BackupRecord, 'id' | 'documentId' | 'profile'>>): Promise<void> {
      await query().update({ where: { id }, data });
    },

    /** The newest completed archive of a profile, or null; what the next one is likely to weigh. */
    async lastCompletedOf(profileId: number): Promise<BackupRecord | null> {
      return query().findOne({
        where: { profile: { id: profileId }, status: 'completed', archiveSize: { $notNull: true } },
        orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
      });
    },

    /**
     * Deletes a record that has ended; false when it is queued or running. Final statuses never
     * change again, so checking first and deleting after cannot race with a worker.
     */
    async deleteIfFinal(id: number): Promise<boolean> {
      const row = await query().findOne({ where: { id }, select: ['id', 'status'] });
      if (!row || !isFinalStatus(row.status)) return false;
      // delete (not deleteMany) also removes the record's link to its profile.
      await query().delete({ where: { id } });
      return true;
    },

    async list(
      filters: ListFilters = {},
    ): Promise<{ results: BackupRecord[]; pagination: { page: number; pageSize: number; total: number; pageCount: number } }> {
      const page = Math.max(1, filters.page ?? 1);
      const pageSize = Math.min(100, Math.max(1, filters.pageSize ?? 20));
      const where: Record<string, unknown> = {};
      if (filters.status) where.status = filters.status;
      if (filters.kind) where.kind = filters.kind;
      if (filters.profile) where.profile = { documentId: filters.profile };
      const [results, total] = await Promise.all([
        query().findMany({ where, orderBy: [{ id: 'desc' }], offset: (page - 1) * pageSize, limit: pageSize, populate: POPULATE }),
        query().count({ where }),
      ]);
      return { results, pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) } };
    },
  };
};

export default createRecordsService;
