import type { Core } from '@strapi/strapi';
import { PROFILE_NAME_INDEX, RBAC_ACTIONS, UID, WORKER_OFF_ENV } from './constants';
import { ensureUniqueIndex } from './db/unique-index';
import { errorMessage, getConfig, getService } from './utils';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany(RBAC_ACTIONS);
  await ensureUniqueIndex(strapi, UID.profile, 'name', PROFILE_NAME_INDEX).catch((error: unknown) => {
    // Existing duplicate names: the site still boots; the service's own check still applies.
    strapi.log.error(`${errorMessage(error)}. Rename the profiles that share a name.`);
  });
  await getService(strapi, 'profiles').ensureDefault();
  getService(strapi, 'failsafe').register();
  getService(strapi, 'notifier').registerEvents();
  await getService(strapi, 'scheduler').start();
  // The CLI boots the app for one command; only `run --wait` and `worker` start a worker there.
  if (getConfig(strapi).worker.enabled && process.env[WORKER_OFF_ENV] !== 'true') {
    getService(strapi, 'worker').start();
  }
};

export default bootstrap;
