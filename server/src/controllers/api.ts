/**
 * The content API (an API token, for deploy scripts): request a backup, follow its record. Its
 * answers leave out who asked (an admin's name or e-mail), which machine and process ran the job,
 * and what the database holds (table names, row counts): a token's holder needs none of them.
 */
import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { BackupRecord } from '../../../shared/contracts';
import { toPayload } from '../services/notifier';
import { getService } from '../utils';
import { requestRun } from './runs';

export const toContentApiRecord = (record: BackupRecord) => {
  const { worker, requestedBy, idempotencyKey, ...shown } = toPayload(record);
  return { ...shown, progress: record.progress };
};

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** No user: bounded by the queue depth, and by the per-token rate limit (routes/content-api.ts). */
  async createRun(ctx: Context) {
    await requestRun(strapi, ctx, { door: 'content-api', trigger: 'api', requestedBy: null, show: toContentApiRecord });
  },

  async getRecord(ctx: Context) {
    const record = await getService(strapi, 'records').findByDocumentId(ctx.params.documentId);
    if (!record) throw new errors.NotFoundError(`No backup record has the documentId “${ctx.params.documentId}”.`);
    ctx.body = { data: toContentApiRecord(record) };
  },
});
