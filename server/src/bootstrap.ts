import type { Core } from '@strapi/strapi';
import { RBAC_ACTIONS } from './constants';
import { getService } from './utils';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany(RBAC_ACTIONS);
  await getService(strapi, 'profiles').ensureDefault();
};

export default bootstrap;
