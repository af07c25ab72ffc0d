import fs from 'node:fs';
import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { PLUGIN_ID, isFinalStatus } from '../../../shared/constants';
import type { BackupRecord } from '../../../shared/contracts';
import { getService } from '../utils';
import { validateKeepBody, validateRecordsQuery } from '../validation/records';
import { validateRestoreBody } from '../validation/restore';
import { withRequesters } from './utils/requesters';
import { conflict, forbidden } from './utils/respond';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const records = () => getService(strapi, 'records');

  const findOr404 = async (documentId: string): Promise<BackupRecord> => {
    const record = await records().findByDocumentId(documentId);
    if (!record) throw new errors.NotFoundError(`No backup record has the documentId “${documentId}”.`);
    return record;
  };

  /** The archive's absolute path, from the record's own file name only (never from the request). */
  const archiveOf = async (record: BackupRecord): Promise<{ path: string; size: number } | null> => {
    if (!record.archiveFile) return null;
    let file: string;
    try {
      file = getService(strapi, 'storage').resolve(record.archiveFile);
    } catch {
      return null;
    }
    const stat = await fs.promises.stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    return stat?.isFile() ? { path: file, size: stat.size } : null;
  };

  /** Streams a record's archive as an attachment named after its file. */
  const sendArchive = async (ctx: Context, record: BackupRecord) => {
    const archive = await archiveOf(record);
    if (!archive) throw new errors.NotFoundError(`Record ${record.id} has no archive to download.`);
    const name = record.archiveFile!;
    ctx.set('Content-Disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`);
    ctx.set('Content-Length', String(archive.size));
    // A copy of the whole site: no browser or proxy cache may keep it.
    ctx.set('Cache-Control', 'no-store');
    ctx.type = name.endsWith('.gz') ? 'application/gzip' : 'application/x-tar';
    ctx.body = fs.createReadStream(archive.path);
  };

  return {
    async find(ctx: Context) {
      const { results, pagination } = await records().list(await validateRecordsQuery(ctx.query));
      ctx.body = { data: await withRequesters(strapi, results), meta: { pagination } };
    },

    async findOne(ctx: Context) {
      const [record] = await withRequesters(strapi, [await findOr404(ctx.params.documentId)]);
      ctx.body = { data: record };
    },

    /**
     * Reads the archive once and checks it against its manifest and the record's sha256. One at a
     * time per archive (409 with the running one's progress), and it stops reading when the client
     * goes away: nobody would see the answer.
     */
    async verify(ctx: Context) {
      const record = await findOr404(ctx.params.documentId);
      const archive = await archiveOf(record);
      if (!archive) throw new errors.NotFoundError(`Record ${record.id} has no archive to verify.`);
      const controller = new AbortController();
      const start = getService(strapi, 'verifications').start(record.documentId, archive.path, {
        expectedSha256: record.archiveSha256 ?? undefined,
        signal: controller.signal,
      });
      if (!start.started) {
        return conflict(ctx, `A verify of record ${record.id} is already running (${start.running.percent}% read); wait for its answer.`, {
          progress: start.running,
        });
      }
      const onClose = () => {
        if (!ctx.res.writableFinished) controller.abort();
      };
      ctx.res.once('close', onClose);
      try {
        const { ok, errors: problems, sha256 } = await start.result;
        ctx.body = { data: { ok, errors: problems, sha256 } };
      } catch (error) {
        // The client left: there is no one to answer.
        if (controller.signal.aborted) return;
        throw error;
      } finally {
        ctx.res.off('close', onClose);
      }
    },

    async cancel(ctx: Context) {
      const record = await findOr404(ctx.params.documentId);
      if (isFinalStatus(record.status))
        return conflict(ctx, `Record ${record.id} has already ended (${record.status}); there is nothing to cancel.`, { record });
      const after = (await getService(strapi, 'queue').cancel(record.id)) as BackupRecord;
      // It ended on its own between the read and the cancel.
      if (after.status !== 'cancelled' && isFinalStatus(after.status)) {
        return conflict(ctx, `Record ${record.id} has already ended (${after.status}); there is nothing to cancel.`, { record: after });
      }
      ctx.body = { data: after };
    },

    async download(ctx: Context) {
      await sendArchive(ctx, await findOr404(ctx.params.documentId));
    },

    async downloadLink(ctx: Context) {
      const record = await findOr404(ctx.params.documentId);
      if (!(await archiveOf(record))) throw new errors.NotFoundError(`Record ${record.id} has no archive to download.`);
      const { token, expiresAt } = getService(strapi, 'downloadLinks').issue(record.documentId, ctx.state.user.id);
      ctx.body = { data: { url: `/${PLUGIN_ID}/downloads/${token}`, expiresAt } };
    },

    async downloadByLink(ctx: Context) {
      const grant = await getService(strapi, 'downloadLinks').grant(String(ctx.params.token));
      if ('refused' in grant) return forbidden(ctx, grant.refused);
      await sendArchive(ctx, await findOr404(grant.documentId));
    },

    /** Queues a restore of this backup's archive: 202 with the restore record, 409 while one is pending. */
    async restore(ctx: Context) {
      const record = await findOr404(ctx.params.documentId);
      const { safetyBackup, force } = await validateRestoreBody(ctx.request.body, record.archiveFile);
      const result = await getService(strapi, 'restorer').request({
        from: { record },
        options: { safetyBackup, force },
        trigger: 'admin',
        requestedBy: ctx.state.user.id,
      });
      if (!result.accepted) return conflict(ctx, result.message, { reason: result.reason, record: result.record });
      ctx.status = 202;
      ctx.body = { data: result.record, meta: { position: result.position }, message: result.message };
    },

    /** Marks a backup kept (retention never removes its archive) or lets retention have it again. */
    async keep(ctx: Context) {
      const record = await findOr404(ctx.params.documentId);
      const { keep } = await validateKeepBody(ctx.request.body);
      if (record.kind !== 'backup') throw new errors.ValidationError(`Record ${record.id} is a restore; only a backup has an archive to keep.`);
      await records().update(record.id, { keep });
      const [updated] = await withRequesters(strapi, [await findOr404(record.documentId)]);
      ctx.body = { data: updated };
    },

    async delete(ctx: Context) {
      const record = await findOr404(ctx.params.documentId);
      const archive = await archiveOf(record);
      if (!(await records().deleteIfFinal(record.id))) {
        return conflict(ctx, `Record ${record.id} is ${record.status}; cancel it or wait for it to end before deleting it.`, { record });
      }
      if (archive) await fs.promises.rm(archive.path, { force: true });
      ctx.body = { data: record };
    },
  };
};
