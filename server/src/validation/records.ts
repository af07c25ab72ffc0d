/** Query of `GET /backup/records`, body of `PUT /backup/records/:documentId/keep`. */
import { yup } from '@strapi/utils';
import { RECORD_KINDS, RECORD_STATUSES } from '../../../shared/constants';
import type { ListFilters } from '../services/records';
import { requestObject, validate } from './utils';

const MAX_PAGE_SIZE = 100;

/** One of `values`; an empty parameter (`?status=`) is an absent one. A repeated parameter is a list, and refused. */
const oneOf = (name: string, values: readonly string[]) => {
  const message = `${name} must be one of: ${values.join(', ')}`;
  return yup
    .string()
    .typeError(message)
    .oneOf([...values, ''], message);
};

/** Query parameters are text: a whole number written in digits, from 1 to `max`. */
const count = (name: string, max: number) => {
  const message = `${name} must be an integer from 1 to ${max}`;
  return yup
    .string()
    .typeError(message)
    .test('count', message, (v) => v === undefined || v === '' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= max));
};

const querySchema = requestObject(
  {
    status: oneOf('status', RECORD_STATUSES),
    kind: oneOf('kind', RECORD_KINDS),
    profile: yup.string().typeError('profile must be one documentId'),
    page: count('page', 1_000_000),
    pageSize: count('pageSize', MAX_PAGE_SIZE),
  },
  'query',
);

const number = (v: string | undefined) => (v ? Number(v) : undefined);

export const validateRecordsQuery = async (query: unknown): Promise<ListFilters> => {
  const { status, kind, profile, page, pageSize } = await validate(querySchema, query);
  return {
    status: (status || undefined) as ListFilters['status'],
    kind: (kind || undefined) as ListFilters['kind'],
    profile: profile || undefined,
    page: number(page),
    pageSize: number(pageSize),
  };
};

const KEEP = 'keep is required and must be true or false';
const keepSchema = requestObject({ keep: yup.boolean().typeError(KEEP).required(KEEP) });

/** `{ keep: true | false }`, and nothing else. */
export const validateKeepBody = async (body: unknown): Promise<{ keep: boolean }> => ({ keep: (await validate(keepSchema, body)).keep });
