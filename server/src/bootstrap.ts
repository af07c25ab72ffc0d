import type { Core } from '@strapi/strapi';
import { RBAC_ACTIONS, WORKER_OFF_ENV } from '../../shared/constants';
import { recordBootState } from './pre-sync';
import { errorMessage, getConfig, getService } from './utils';

/**
 * The archive directory exists, private, with its `.gitignore`, and holds nothing a crashed job
 * left. A problem here is logged, not fatal: a job's preflight says it again when it matters.
 */
const prepareStorage = async (strapi: Core.Strapi) => {
  try {
    await getService(strapi, 'storage').ensureDirectory();
    await getService(strapi, 'failsafe').removeOrphans();
  } catch (error) {
    strapi.log.warn(`[backup] backup directory: ${errorMessage(error)}`);
  }
};

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany(RBAC_ACTIONS);
  await getService(strapi, 'profiles').ensureDefault();
  // The schema sync is behind us: what the next boot's hooks compare with.
  await recordBootState(strapi);
  await prepareStorage(strapi);
  getService(strapi, 'failsafe').register();
  getService(strapi, 'retention').register();
  getService(strapi, 'notifier').registerEvents();
  await getService(strapi, 'mailer').checkProvider();
  await getService(strapi, 'scheduler').start();
  // The CLI boots the app for one command; only `run --wait` and `worker` start a worker there.
  // The worker's poll also keeps the restore gate up to date; without a worker, the gate polls.
  if (getConfig(strapi).worker.enabled && process.env[WORKER_OFF_ENV] !== 'true') {
    getService(strapi, 'worker').start();
  } else {
    getService(strapi, 'restoreGate').start();
  }
};

export default bootstrap;
