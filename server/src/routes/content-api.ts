/**
 * `/api/backup/...`: for deploy scripts holding a Strapi API token. Strapi's content-API auth
 * checks the token and its scope (`plugin::backup.api.createRun`, `plugin::backup.api.getRecord`).
 *
 * No action here ends in `find` or `findOne`: Strapi lets a read-only token (often shipped inside
 * a frontend) call every such action, so these need a token granted them explicitly (custom, or
 * full access). A restore can never be requested here, whatever the token.
 */
import { PLUGIN_ID } from '../../../shared/constants';
import type { PluginRoute } from './route';

export default [
  { method: 'POST', path: '/runs', handler: 'api.createRun', config: { middlewares: [`plugin::${PLUGIN_ID}.api-rate-limit`] } },
  { method: 'GET', path: '/records/:documentId', handler: 'api.getRecord' },
] satisfies PluginRoute[];
