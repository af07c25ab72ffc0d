import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { RECORD_KINDS, RECORD_STATUSES } from '../constants';
import { getService } from '../utils';

const oneOf = <T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new errors.ValidationError(`${name} must be one of: ${allowed.join(', ')}`);
};

const positiveInt = (name: string, value: unknown): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new errors.ValidationError(`${name} must be a positive integer`);
  return n;
};

const KNOWN_QUERY = new Set(['status', 'kind', 'profile', 'page', 'pageSize']);

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: any) {
    const q = ctx.query ?? {};
    const unknown = Object.keys(q).filter((key) => !KNOWN_QUERY.has(key));
    if (unknown.length) throw new errors.ValidationError(`Unknown query parameter: ${unknown.join(', ')}`);
    const { results, pagination } = await getService(strapi, 'records').list({
      status: oneOf('status', q.status, RECORD_STATUSES),
      kind: oneOf('kind', q.kind, RECORD_KINDS),
      profile: typeof q.profile === 'string' && q.profile !== '' ? q.profile : undefined,
      page: positiveInt('page', q.page),
      pageSize: positiveInt('pageSize', q.pageSize),
    });
    ctx.body = { data: results, meta: { pagination } };
  },
});
