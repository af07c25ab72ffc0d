import type { Core } from '@strapi/strapi';
import { keepStorageOutOfDevWatcher } from './dev-watch';
import { registerBootHooks } from './pre-sync';
import { getService } from './utils';

const register = ({ strapi }: { strapi: Core.Strapi }) => {
  // Fail the boot early, before anything could write an archive where Strapi serves it.
  getService(strapi, 'storage').assertSafeDirectory();
  // Before `strapi develop` starts its file watcher, or every backup restarts the server (see dev-watch.ts).
  keepStorageOutOfDevWatcher(strapi);
  // Before the schema sync drops anything: a backup of the untouched database (see pre-sync/; it
  // first finishes a MySQL restore's table swap that a stopped process left).
  registerBootHooks(strapi);
  // First in Koa's chain, before Strapi's own middlewares: while a restore runs, nothing else answers.
  strapi.server.use(getService(strapi, 'restoreGate').middleware());
};

export default register;
