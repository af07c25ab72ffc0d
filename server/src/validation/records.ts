/** Query of `GET /backup/records`, body of `PUT /backup/records/:documentId/keep`. */
import { errors } from '@strapi/utils';
import { assertKnownKeys } from './utils';
import { RECORD_KINDS, RECORD_STATUSES } from '../../../shared/constants';
import type { ListFilters } from '../services/records';

const MAX_PAGE_SIZE = 100;

const oneOf = <T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new errors.ValidationError(`${name} must be one of: ${allowed.join(', ')}`);
};

const positiveInt = (name: string, value: unknown, max = 1_000_000): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new errors.ValidationError(`${name} must be an integer from 1 to ${max}`);
  return n;
};

const KNOWN_QUERY = ['status', 'kind', 'profile', 'page', 'pageSize'];

export const validateRecordsQuery = (query: Record<string, unknown> = {}): ListFilters => {
  const unknown = Object.keys(query).filter((key) => !KNOWN_QUERY.includes(key));
  if (unknown.length) throw new errors.ValidationError(`Unknown query parameter: ${unknown.join(', ')} (known: ${KNOWN_QUERY.join(', ')})`);
  const { profile } = query;
  if (profile !== undefined && typeof profile !== 'string') throw new errors.ValidationError('profile must be one documentId');
  return {
    status: oneOf('status', query.status, RECORD_STATUSES),
    kind: oneOf('kind', query.kind, RECORD_KINDS),
    profile: profile ? profile : undefined,
    page: positiveInt('page', query.page),
    pageSize: positiveInt('pageSize', query.pageSize, MAX_PAGE_SIZE),
  };
};

/** `{ keep: true | false }`, and nothing else. */
export const validateKeepBody = (body: unknown): { keep: boolean } => {
  const { keep } = assertKnownKeys(body, ['keep']);
  if (typeof keep !== 'boolean') throw new errors.ValidationError('keep is required and must be true or false');
  return { keep };
};
