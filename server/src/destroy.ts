import type { Core } from '@strapi/strapi';

const destroy = (_: { strapi: Core.Strapi }) => {
  // Nothing runs in the background yet; the queue's worker and cron jobs will stop here.
};

export default destroy;
