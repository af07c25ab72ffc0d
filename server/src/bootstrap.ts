import type { Core } from '@strapi/strapi';
import { RBAC_ACTIONS, WORKER_OFF_ENV } from './constants';
import { recordBootState } from './hooks';
import { getConfig, getService } from './utils';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany(RBAC_ACTIONS);
  await getService(strapi, 'profiles').ensureDefault();
  // The schema sync is behind us: what the next boot's hooks compare with.
  await recordBootState(strapi);
  getService(strapi, 'failsafe').register();
  getService(strapi, 'notifier').registerEvents();
  await getService(strapi, 'scheduler').start();
  // The CLI boots the app for one command; only `run --wait` and `worker` start a worker there.
  if (getConfig(strapi).worker.enabled && process.env[WORKER_OFF_ENV] !== 'true') {
    getService(strapi, 'worker').start();
  }
};

export default bootstrap;
