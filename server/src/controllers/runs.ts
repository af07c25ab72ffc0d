import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Trigger } from '../../../shared/constants';
import type { BackupRecord } from '../../../shared/contracts';
import { getService } from '../utils';
import { validateRunBody, type RunDoor } from '../validation/runs';
import { conflict } from './utils/respond';

interface RunRequest {
  door: RunDoor;
  trigger: Trigger;
  requestedBy: number | null;
  /** What the answer shows of a record (the content API shows less than the admin). */
  show?: (record: BackupRecord) => unknown;
}

/**
 * Validate, preflight, enqueue: 202 with the record when accepted, 409 with the reason when not.
 * Shared by the admin route and the content-API route.
 */
export const requestRun = async (strapi: Core.Strapi, ctx: Context, { door, trigger, requestedBy, show = (r) => r }: RunRequest) => {
  const { profile: documentId } = await validateRunBody(ctx.request.body, door);
  const profiles = getService(strapi, 'profiles');
  const profile = documentId ? await profiles.findByDocumentId(documentId) : await profiles.findDefault();
  if (!profile) {
    throw new errors.NotFoundError(documentId ? `No backup profile has the documentId “${documentId}”.` : 'No default backup profile exists.');
  }
  const result = await getService(strapi, 'queue').requestBackup(profile, { trigger, requestedBy });
  if (!result.accepted) return conflict(ctx, result.message, { reason: result.reason, record: result.record && show(result.record) });
  ctx.status = 202;
  ctx.body = { data: show(result.record), meta: { position: result.position }, message: result.message };
};

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Admin panel: the admin is the requester, so the per-user duplicate rule applies. */
  async create(ctx: Context) {
    await requestRun(strapi, ctx, { door: 'admin', trigger: 'admin', requestedBy: ctx.state.user.id });
  },
});
