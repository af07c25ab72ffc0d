import type { Core } from '@strapi/strapi';
import { getService } from './utils';

/** Stops claiming work, lets running jobs finish within the grace period, and stops the cron jobs. */
const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  getService(strapi, 'failsafe').unregister();
  getService(strapi, 'retention').unregister();
  getService(strapi, 'scheduler').stop();
  getService(strapi, 'restoreGate').stop();
  getService(strapi, 'notifier').stop();
  await getService(strapi, 'worker').stop();
  // The last jobs' final events, before the event hub and the database go away.
  await getService(strapi, 'notifier').flush();
  await getService(strapi, 'mailer').flush();
};

export default destroy;
