import { PLUGIN_ID } from '../../../shared/constants';
import type { PluginRoute } from './route';

export default [
  {
    method: 'POST',
    path: '/runs',
    handler: 'runs.create',
    // `run` for a backup, `restore` for a restore: see policies/can-run.ts.
    config: { policies: ['admin::isAuthenticatedAdmin', `plugin::${PLUGIN_ID}.can-run`] },
  },
] satisfies PluginRoute[];
