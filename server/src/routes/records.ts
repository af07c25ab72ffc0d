import { ACTIONS } from '../../../shared/constants';
import { guarded } from './guarded';
import type { PluginRoute } from './route';

export default [
  { method: 'GET', path: '/records', handler: 'records.find', config: guarded(ACTIONS.read) },
  { method: 'GET', path: '/records/:documentId', handler: 'records.findOne', config: guarded(ACTIONS.read) },
  { method: 'POST', path: '/records/:documentId/cancel', handler: 'records.cancel', config: guarded(ACTIONS.cancel) },
  // Verifying only reads the archive and reports; whoever may see records may check them.
  { method: 'POST', path: '/records/:documentId/verify', handler: 'records.verify', config: guarded(ACTIONS.read) },
  { method: 'GET', path: '/records/:documentId/download', handler: 'records.download', config: guarded(ACTIONS.download) },
  { method: 'POST', path: '/records/:documentId/download-link', handler: 'records.downloadLink', config: guarded(ACTIONS.download) },
  // The one route without the admin session: a browser link cannot carry the admin's token. The
  // signed link it takes was issued by the guarded route above, for one record, for a minute.
  { method: 'GET', path: '/downloads/:token', handler: 'records.downloadByLink', config: { auth: false } },
  // Whoever may restore can replace every admin and token of the site: the most powerful action.
  { method: 'POST', path: '/records/:documentId/restore', handler: 'records.restore', config: guarded(ACTIONS.restore) },
  { method: 'DELETE', path: '/records/:documentId', handler: 'records.delete', config: guarded(ACTIONS.delete) },
  // Keeping an archive decides whether it may be deleted later: the same action as deleting it.
  { method: 'PUT', path: '/records/:documentId/keep', handler: 'records.keep', config: guarded(ACTIONS.delete) },
] satisfies PluginRoute[];
