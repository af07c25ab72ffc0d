import type { Core } from '@strapi/strapi';
import { registerBootHooks } from './hooks';
import { getService } from './utils';

const register = ({ strapi }: { strapi: Core.Strapi }) => {
  // Fail the boot early, before anything could write an archive where Strapi serves it.
  getService(strapi, 'storage').assertSafeDirectory();
  // Before the schema sync drops anything: a backup of the untouched database (see hooks/).
  registerBootHooks(strapi);
};

export default register;
