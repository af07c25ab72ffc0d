import { ACTIONS } from '../constants';

/** Every admin route checks the admin session and its RBAC action on the server. */
const guarded = (action: string) => [
  'admin::isAuthenticatedAdmin',
  { name: 'admin::hasPermissions', config: { actions: [action] } },
];

export default {
  admin: {
    type: 'admin',
    routes: [
      { method: 'GET', path: '/records', handler: 'records.find', config: { policies: guarded(ACTIONS.read) } },
      { method: 'GET', path: '/profiles', handler: 'profiles.find', config: { policies: guarded(ACTIONS.read) } },
    ],
  },
};
