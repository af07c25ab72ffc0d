/** Query of `GET /backup/schedule-preview`: the profile editor's cron field, checked as one types. */
import { yup } from '@strapi/utils';
import { notBlank, requestObject, validate } from './utils';

const MAX_LENGTH = 120;
const SCHEDULE = 'schedule must be a cron expression (a non-empty string)';

export interface SchedulePreviewQuery {
  schedule: string;
  timezone: string | null;
}

const schema = requestObject(
  {
    schedule: yup
      .string()
      .typeError(SCHEDULE)
      .required(SCHEDULE)
      .test('not-blank', SCHEDULE, notBlank)
      .max(MAX_LENGTH, `schedule must be at most ${MAX_LENGTH} characters`),
    timezone: yup.string().typeError('timezone must be one IANA time zone name'),
  },
  'query',
);

export const validateSchedulePreviewQuery = async (query: unknown): Promise<SchedulePreviewQuery> => {
  const { schedule, timezone } = await validate(schema, query);
  return { schedule: schedule.trim(), timezone: timezone?.trim() || null };
};
