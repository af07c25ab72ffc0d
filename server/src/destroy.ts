import type { Core } from '@strapi/strapi';
import { getService } from './utils';

/** Stops claiming work, lets running jobs finish within the grace period, and stops the cron job. */
const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  getService(strapi, 'failsafe').unregister();
  await getService(strapi, 'worker').stop();
};

export default destroy;
