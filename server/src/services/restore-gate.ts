/**
 * What a site does while a restore runs, and after it.
 *
 * While a restore runs — on this instance or another one sharing the database — the site answers
 * every request with 503 and `Retry-After`, except its health check and the few plugin routes that
 * follow the restore (answered from memory here when this instance runs it: on SQLite its load
 * holds the app's only connection). A write accepted then would be overwritten by the restore, or
 * land half way through its load: refusing it says so instead of losing it silently.
 *
 * After a restore completed, Strapi still holds what it read from the old database at boot
 * (webhooks, settings of plugins, the admin's session store): every instance says "restart
 * required" in the admin (GET /backup/activity) and logs it once, until it restarts.
 *
 * Other instances learn of a restore by the one indexed query they make every `worker.pollMs`
 * (poll(), shared with the worker).
 */
import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import { ACTIVE_STATUSES, PLUGIN_ID, RESTORE_RETRY_AFTER_S, UID } from '../../../shared/constants';
import { errorMessage, getConfig } from '../utils';
import type { JobProgress } from './restorer';

interface LocalRestore {
  recordId: number;
  documentId: string;
  progress: JobProgress | null;
}

/**
 * Paths still answered while a restore runs: liveness, how the admin follows the restore, and its
 * cancel (before the commit, a cancelled restore rolls back and leaves the site as it was).
 */
const isOpenPath = (method: string, path: string) =>
  path === '/_health' ||
  (method === 'GET' && (path === `/${PLUGIN_ID}/activity` || path.startsWith(`/${PLUGIN_ID}/records/`))) ||
  (method === 'POST' && new RegExp(`^/${PLUGIN_ID}/records/[^/]+/cancel$`).test(path));

const createRestoreGateService = ({ strapi }: { strapi: Core.Strapi }) => {
  const bootedAt = new Date();
  let local: LocalRestore | null = null;
  /** A restore runs on another instance (from the last poll). */
  let elsewhere = false;
  let restartRequired = false;
  let timer: NodeJS.Timeout | null = null;

  const requireRestart = (why: string) => {
    if (restartRequired) return;
    restartRequired = true;
    strapi.log.warn(`[backup] ${why} Restart Strapi (every instance) so that it reads the restored site: it still holds webhooks and settings read at boot.`);
  };

  /**
   * An admin's access token, checked by its signature alone: the session store is in the database,
   * which a SQLite restore holds. Enough for the little said from memory below.
   */
  const signedInAdmin = (ctx: Context): boolean => {
    const [scheme, token] = String(ctx.request.header.authorization ?? '').split(/\s+/);
    const manager = (strapi as any).sessionManager;
    return scheme?.toLowerCase() === 'bearer' && Boolean(token) && Boolean(manager?.('admin').validateAccessToken(token).isValid);
  };

  /** The record of the restore running here, as the admin polls it, without the database. */
  const answerFromMemory = (ctx: Context): boolean => {
    if (!local || ctx.method !== 'GET' || !signedInAdmin(ctx)) return false;
    if (ctx.path === `/${PLUGIN_ID}/activity`) {
      ctx.body = { data: { backupRunning: false, backupQueued: false, restorePending: true, restartRequired } };
      return true;
    }
    if (ctx.path === `/${PLUGIN_ID}/records/${local.documentId}`) {
      ctx.body = { data: { id: local.recordId, documentId: local.documentId, kind: 'restore', status: 'running', progress: local.progress } };
      return true;
    }
    return false;
  };

  const service = {
    get restartRequired() {
      return restartRequired;
    },

    /** A restore starts running in this process. */
    begin(recordId: number, documentId: string) {
      local = { recordId, documentId, progress: null };
    },

    report(progress: JobProgress) {
      if (local) local.progress = progress;
    },

    /** The restore of this process ended; `restored` when the site was replaced. */
    end(restored: boolean) {
      local = null;
      if (restored) requireRestart('A restore of the site completed.');
    },

    isRestoring: () => Boolean(local) || elsewhere,

    /**
     * The one query an idle instance makes per poll interval (the worker's, or this gate's own
     * timer where no worker runs): the site's queued and running jobs, and restores completed since
     * this instance booted, through the (status, kind) index. Updates this gate and tells the
     * worker whether a job waits, so an idle worker claims nothing and queries nothing more.
     */
    async poll(): Promise<{ queued: boolean }> {
      // While this instance restores, its own state is the truth (on SQLite the query would wait for the load).
      if (local) return { queued: false };
      const found: { kind: string; status: string }[] = await strapi.db.query(UID.record).findMany({
        select: ['kind', 'status'],
        where: { $or: [{ status: { $in: ACTIVE_STATUSES } }, { status: 'completed', kind: 'restore', finishedAt: { $gt: bootedAt } }] },
      });
      elsewhere = found.some((r) => r.kind === 'restore' && r.status === 'running');
      if (found.some((r) => r.status === 'completed')) requireRestart('A restore of the site completed on another instance.');
      return { queued: found.some((r) => r.status === 'queued') };
    },

    /** Polls on its own timer: for a process that runs no worker. */
    start() {
      const tick = () => {
        timer = setTimeout(() => {
          service
            .poll()
            .catch((error) => strapi.log.warn(`[backup] could not check for a restore: ${errorMessage(error)}`))
            .finally(() => timer && tick());
        }, getConfig(strapi).worker.pollMs);
        timer.unref();
      };
      tick();
    },

    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },

    /** The Koa middleware, first in the chain (registered in register()). */
    middleware() {
      return async (ctx: Context, next: () => Promise<void>) => {
        if (!service.isRestoring() || isOpenPath(ctx.method, ctx.path)) {
          if (local && answerFromMemory(ctx)) return;
          return next();
        }
        ctx.status = 503;
        ctx.set('Retry-After', String(RESTORE_RETRY_AFTER_S));
        ctx.body = {
          data: null,
          error: {
            status: 503,
            name: 'ServiceUnavailableError',
            message: 'A restore of this site is running: nothing can be read or saved until it ends. Try again in a moment.',
            details: {},
          },
        };
      };
    },
  };
  return service;
};

export default createRestoreGateService;
