/**
 * A ceiling on backup requests per API token (`contentApi.rateLimit`): a script looping on
 * `POST /api/backup/runs` of a `queue` profile would otherwise fill the disk with archives. Kept in
 * each process's memory, as Strapi's own admin login limit is (same library), so N instances allow
 * N times the ceiling; the queue's depth still bounds what waits.
 */
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { getConfig } from '../utils';

// koa2-ratelimit ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- typed here, by hand
const { RateLimit } = require('koa2-ratelimit') as {
  RateLimit: { middleware(options: Record<string, unknown>): (ctx: Context, next: () => Promise<void>) => Promise<void> };
};

export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const { max, intervalMs } = getConfig(strapi).contentApi.rateLimit;
  if (max === 0) return (_ctx: unknown, next: () => Promise<void>) => next();
  return RateLimit.middleware({
    interval: intervalMs,
    max,
    // The library's memory store is shared by every limiter of the process (and by every app a
    // process boots, as tests do): a prefix of this app's own keeps its counts apart.
    prefixKey: `strapi-plugin-backup:api-runs:${randomUUID()}`,
    // Per API token (authentication has run before route middlewares).
    getUserId: async (ctx: Context) => ctx.state.auth?.credentials?.id ?? null,
    handler(ctx: Context) {
      const retry = Math.max(1, Math.ceil((ctx.state.rateLimit.reset * 1000 - Date.now()) / 1000));
      throw new errors.RateLimitError(
        `Too many backup requests with this API token: at most ${max} every ${Math.round(intervalMs / 1000)} s (config/plugins → backup.config.contentApi.rateLimit). Try again in ${retry} s.`,
        { retryAfter: retry },
      );
    },
  });
};
