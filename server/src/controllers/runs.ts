import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Trigger } from '../constants';
import { getService } from '../utils';
import { validateRunBody } from '../validation/runs';
import { conflict } from './respond';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  /** Validate, preflight, enqueue: 202 with the record when accepted, 409 with the reason when not. */
  const run = async (ctx: any, trigger: Trigger, requestedBy: number | null) => {
    const { profile: documentId, kind } = validateRunBody(ctx.request.body);
    const profiles = getService(strapi, 'profiles');
    const profile = documentId ? await profiles.findByDocumentId(documentId) : await profiles.findDefault();
    if (!profile) {
      throw new errors.NotFoundError(documentId ? `No backup profile has the documentId “${documentId}”.` : 'No default backup profile exists.');
    }
    const { warnings } = await getService(strapi, 'preflight').check(profile);
    const result = await getService(strapi, 'queue').enqueue({ profile, kind, trigger, requestedBy });
    if (!result.accepted) return conflict(ctx, result.message, { reason: result.reason, record: result.record });
    ctx.status = 202;
    ctx.body = { data: result.record, meta: { position: result.position, warnings }, message: result.message };
  };

  return {
    /** Admin panel: the admin is the requester, so the per-user duplicate rule applies. */
    async create(ctx: any) {
      await run(ctx, 'admin', ctx.state.user.id);
    },

    /** Content API (API token): no user, bounded by the queue depth alone. */
    async createFromApi(ctx: any) {
      await run(ctx, 'api', null);
    },
  };
};
