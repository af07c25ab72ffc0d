import type { Core } from '@strapi/strapi';
import { getService } from '../utils';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: any) {
    ctx.body = { data: await getService(strapi, 'summary').get() };
  },

  async storage(ctx: any) {
    ctx.body = { data: await getService(strapi, 'storageReport').get() };
  },
});
