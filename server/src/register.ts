import type { Core } from '@strapi/strapi';
import { getService } from './utils';

const register = ({ strapi }: { strapi: Core.Strapi }) => {
  // Fail the boot early, before anything could write an archive where Strapi serves it.
  getService(strapi, 'storage').assertSafeDirectory();
};

export default register;
