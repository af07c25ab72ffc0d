import { ACTIONS } from '../../../shared/constants';
import { guarded } from './guarded';
import type { PluginRoute } from './route';

export default [
  { method: 'GET', path: '/profiles', handler: 'profiles.find', config: guarded(ACTIONS.read) },
  { method: 'POST', path: '/profiles', handler: 'profiles.create', config: guarded(ACTIONS.manageProfiles) },
  { method: 'PUT', path: '/profiles/:documentId', handler: 'profiles.update', config: guarded(ACTIONS.manageProfiles) },
  { method: 'DELETE', path: '/profiles/:documentId', handler: 'profiles.delete', config: guarded(ACTIONS.manageProfiles) },
] satisfies PluginRoute[];
