import { ACTIONS } from '../../../shared/constants';
import { guarded } from './guarded';
import type { PluginRoute } from './route';

export default [
  { method: 'GET', path: '/summary', handler: 'summary.find', config: guarded(ACTIONS.read) },
  // Disk use, free space, orphan archives and missing ones: what the Backups page shows above the list.
  { method: 'GET', path: '/storage', handler: 'summary.storage', config: guarded(ACTIONS.read) },
] satisfies PluginRoute[];
