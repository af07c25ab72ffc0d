/** Bodies of `POST /backup/profiles` and `PUT /backup/profiles/:documentId`. */
import { errors, yup } from '@strapi/utils';
import { ARCHIVE_FORMATS, PROFILE_LIMITS, QUEUE_BEHAVIORS } from '../../../shared/constants';
import type { Profile } from '../../../shared/contracts';
import { NOTIFY_LIMITS, NOTIFY_ON, PLACEHOLDERS, unknownPlaceholders } from '../../../shared/mail-template';
import { cronProblem, timezoneProblem } from './cron';
import { isPlainObject } from '../utils';
import { notBlank, requestObject, validate } from './utils';

/** Every field a client may write; the rest of a profile (id, documentId, dates) is the server's. */
export const PROFILE_FIELDS = [
  'name',
  'description',
  'queueBehavior',
  'maxQueueDepth',
  'includeDatabase',
  'excludeTables',
  'includeUploads',
  'includeProjectFiles',
  'schedule',
  'timezone',
  'retainCount',
  'retainDays',
  'format',
  'encrypt',
  'timeoutMinutes',
  'notify',
  'isDefault',
] as const;

export type ProfileInput = Partial<Omit<Profile, 'id' | 'documentId'>>;

const MAX = { name: 120, description: 2000, table: 128, tables: 500, schedule: 120, timezone: 64, retain: 100000 };

const bool = (field: string) => yup.boolean().typeError(`${field} must be true or false`);
const int = (field: string, min: number, max: number) =>
  yup
    .number()
    .typeError(`${field} must be an integer from ${min} to ${max}`)
    .integer(`${field} must be an integer from ${min} to ${max}`)
    .min(min, `${field} must be an integer from ${min} to ${max}`)
    .max(max, `${field} must be an integer from ${min} to ${max}`);
const oneOf = (field: string, values: readonly string[]) =>
  yup
    .string()
    .typeError(`${field} must be one of: ${values.join(', ')}`)
    .oneOf([...values], `${field} must be one of: ${values.join(', ')}`);
/** A string the client may clear with null, of at most `max` characters. */
const text = (field: string, what: string, max: number) =>
  yup.string().nullable().typeError(`${field} must be ${what}`).max(max, `${field} must be at most ${max} characters`);

/** The e-mail a job's ending sends (mail/template.ts); null sends none. */
const templateText = (field: 'subject' | 'body', max: number) =>
  yup
    .string()
    .typeError(`notify.${field} must be a string`)
    .test('not-blank', `notify.${field} must not be empty`, notBlank)
    .max(max, `notify.${field} must be at most ${max} characters`)
    .test('placeholders', '', function check(v) {
      const unknown = v ? unknownPlaceholders(v) : [];
      if (unknown.length === 0) return true;
      const named = unknown.map((name) => `{${name}}`).join(', ');
      return this.createError({
        message: `notify.${field}: unknown placeholder ${named}; the placeholders are ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      });
    });
const notifySchema = yup
  .object({
    on: yup
      .array()
      .typeError(`notify.on must be a list of: ${NOTIFY_ON.join(', ')}`)
      .of(oneOf('notify.on', NOTIFY_ON))
      .required('notify.on is required (an empty list sends nothing)'),
    requester: bool('notify.requester').required('notify.requester is required'),
    emails: yup
      .array()
      .typeError('notify.emails must be a list of e-mail addresses')
      .max(NOTIFY_LIMITS.emails, `notify.emails must list at most ${NOTIFY_LIMITS.emails} addresses`)
      .of(
        yup
          .string()
          .typeError('notify.emails must be a list of e-mail addresses')
          .max(NOTIFY_LIMITS.email, `notify.emails: addresses must be at most ${NOTIFY_LIMITS.email} characters`)
          .email((p: { value: unknown }) => `notify.emails: ${JSON.stringify(p.value)} is not an e-mail address`),
      )
      .required('notify.emails is required (an empty list sends to nobody but the requester)'),
    subject: templateText('subject', NOTIFY_LIMITS.subject).required('notify.subject is required'),
    body: templateText('body', NOTIFY_LIMITS.body).required('notify.body is required'),
  })
  .noUnknown(true, (p) => `notify has unknown fields: ${(p as { unknown?: string }).unknown}`)
  .strict()
  .nullable()
  .default(undefined)
  .typeError('notify must be an object (on, requester, emails, subject, body) or null');

const fields = {
  name: yup
    .string()
    .typeError('name must be a string')
    .test('not-blank', 'name must not be empty', notBlank)
    .max(MAX.name, `name must be at most ${MAX.name} characters`),
  description: text('description', 'a string', MAX.description),
  queueBehavior: oneOf('queueBehavior', QUEUE_BEHAVIORS),
  maxQueueDepth: int('maxQueueDepth', PROFILE_LIMITS.maxQueueDepth.min, PROFILE_LIMITS.maxQueueDepth.max),
  includeDatabase: bool('includeDatabase'),
  excludeTables: yup
    .array()
    .nullable()
    .typeError('excludeTables must be a list of table names')
    .max(MAX.tables, `excludeTables must list at most ${MAX.tables} tables`)
    .of(
      yup
        .string()
        .typeError('excludeTables must be a list of table names')
        .test('not-blank', 'excludeTables must not contain empty names', notBlank)
        .max(MAX.table, `excludeTables names must be at most ${MAX.table} characters`),
    ),
  includeUploads: bool('includeUploads'),
  includeProjectFiles: bool('includeProjectFiles'),
  schedule: text('schedule', 'a cron expression (a string) or null', MAX.schedule),
  timezone: text('timezone', 'an IANA time zone name (a string) or null', MAX.timezone),
  retainCount: int('retainCount', 0, MAX.retain).nullable(),
  retainDays: int('retainDays', 0, MAX.retain).nullable(),
  format: oneOf('format', ARCHIVE_FORMATS),
  // Stored for the day archives are encrypted; until then a profile asking for it would get plain
  // archives while believing otherwise, so it is refused.
  encrypt: bool('encrypt').test(
    'not-yet',
    'encrypt: encryption is not available yet in this version of the plugin; archives are written unencrypted, so keep them as safe as the server itself',
    (v) => v !== true,
  ),
  timeoutMinutes: int('timeoutMinutes', PROFILE_LIMITS.timeoutMinutes.min, PROFILE_LIMITS.timeoutMinutes.max),
  notify: notifySchema,
  isDefault: bool('isDefault'),
};

// A field listed as writable without a rule would pass unchecked.
const unchecked = PROFILE_FIELDS.filter((field) => !(field in fields));
if (unchecked.length > 0) throw new Error(`No validation rule for profile fields: ${unchecked.join(', ')}`);

const createSchema = requestObject({ ...fields, name: fields.name.required('name is required') });
const updateSchema = requestObject(fields);

/** Empty strings mean “no schedule” / “server time zone”, as a cleared form field sends them. */
const blankToNull = (input: Record<string, unknown>) => {
  for (const key of ['schedule', 'timezone'] as const) {
    if (typeof input[key] === 'string' && (input[key] as string).trim() === '') input[key] = null;
  }
  return input;
};

/** What the server configuration decides for every profile (config/plugins → backup.config). */
export interface ProfileRules {
  minIntervalSeconds: number;
}

/** Fields that moved from the profile to the server configuration, with where they live now. */
const SERVER_SETTINGS: Record<string, string> = {
  includeEnv:
    'includeEnv is not a profile setting: whether archives hold the app’s .env file is decided in the server configuration (config/plugins → backup.config.includeEnv).',
};

/** The schedule as it will be saved, checked in the time zone it will run in. */
const checkSchedule = (input: ProfileInput, rules: ProfileRules, current?: Profile) => {
  const timezone = input.timezone !== undefined ? input.timezone : (current?.timezone ?? null);
  const schedule = input.schedule !== undefined ? input.schedule : (current?.schedule ?? null);
  if (input.timezone) {
    const problem = timezoneProblem(input.timezone);
    if (problem) throw new errors.ValidationError(problem, { errors: [{ path: ['timezone'], message: problem }] });
  }
  if (schedule && (input.schedule !== undefined || input.timezone !== undefined)) {
    const problem = cronProblem(schedule, timezone, rules.minIntervalSeconds);
    if (problem) throw new errors.ValidationError(problem, { errors: [{ path: ['schedule'], message: problem }] });
  }
};

const validateBody = async (
  body: unknown,
  schema: typeof createSchema | typeof updateSchema,
  rules: ProfileRules,
  current?: Profile,
): Promise<ProfileInput> => {
  const moved = isPlainObject(body) ? Object.keys(body).find((key) => key in SERVER_SETTINGS) : undefined;
  if (moved) throw new errors.ValidationError(SERVER_SETTINGS[moved], { errors: [{ path: [moved], message: SERVER_SETTINGS[moved] }] });
  const input = isPlainObject(body) ? blankToNull({ ...body }) : body;
  const valid = (await validate(schema, input)) as ProfileInput;
  checkSchedule(valid, rules, current);
  if (valid.isDefault === false && (current?.isDefault ?? false)) {
    throw new errors.ValidationError('isDefault cannot be turned off on the default profile; make another profile the default instead.');
  }
  return valid;
};

export const validateProfileCreate = (body: unknown, rules: ProfileRules) =>
  validateBody(body, createSchema, rules) as Promise<ProfileInput & { name: string }>;

export const validateProfileUpdate = (body: unknown, rules: ProfileRules, current: Profile) => validateBody(body, updateSchema, rules, current);
