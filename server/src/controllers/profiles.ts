import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { ProfileBusyError } from '../services/errors';
import type { Profile } from '../../../shared/contracts';
import { getConfig, getService } from '../utils';
import { validateProfileCreate, validateProfileUpdate } from '../validation/profile';
import { conflict } from './utils/respond';

/** What the API shows of a profile: its name key is how the database keeps names unique, nothing more. */
const shown = ({ nameKey, ...profile }: Profile & { nameKey?: string }) => profile;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const profiles = () => getService(strapi, 'profiles');
  const rules = () => ({ minIntervalSeconds: getConfig(strapi).schedules.minIntervalSeconds });

  return {
    async find(ctx: Context) {
      // What the server configuration decides for every profile, shown read-only in the editor.
      ctx.body = { data: (await profiles().list()).map(shown), meta: { includeEnv: getConfig(strapi).includeEnv } };
    },

    async create(ctx: Context) {
      const data = await validateProfileCreate(ctx.request.body, rules());
      const { isDefault, ...rest } = data;
      let profile = await profiles().create(rest);
      // Through update, which takes the flag from the previous default in the same transaction.
      if (isDefault) profile = await profiles().update(profile.documentId, { isDefault: true });
      ctx.status = 201;
      ctx.body = { data: shown(profile) };
    },

    async update(ctx: Context) {
      const current = await profiles().findByDocumentId(ctx.params.documentId);
      if (!current) throw new errors.NotFoundError(`No backup profile has the documentId “${ctx.params.documentId}”.`);
      const data = await validateProfileUpdate(ctx.request.body, rules(), current);
      ctx.body = { data: shown(await profiles().update(current.documentId, data)) };
    },

    async delete(ctx: Context) {
      try {
        ctx.body = { data: shown(await profiles().delete(ctx.params.documentId)) };
      } catch (error) {
        if (error instanceof ProfileBusyError) return conflict(ctx, error.message, error.details);
        throw error;
      }
    },
  };
};
