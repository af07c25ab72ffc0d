/**
 * Open to every signed-in admin, with no RBAC action: the Content Manager warns editors who hold
 * no backup permission that a save may miss a running backup or be overwritten by a restore. The
 * answer is three booleans naming no record, profile, person or worker (less than the warning
 * itself says), and an action for it would have to be granted to every role that edits content.
 */
import type { PluginRoute } from './route';

export default [{ method: 'GET', path: '/activity', handler: 'activity.find', config: { policies: ['admin::isAuthenticatedAdmin'] } }] satisfies PluginRoute[];
