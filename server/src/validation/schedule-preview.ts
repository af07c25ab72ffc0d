/** Query of `GET /backup/schedule-preview`: the profile editor's cron field, checked as one types. */
import { errors } from '@strapi/utils';
import { assertKnownKeys } from './utils';

const MAX_LENGTH = 120;

export interface SchedulePreviewQuery {
  schedule: string;
  timezone: string | null;
}

export const validateSchedulePreviewQuery = (query: unknown): SchedulePreviewQuery => {
  const { schedule, timezone } = assertKnownKeys(query, ['schedule', 'timezone'], 'query');
  if (typeof schedule !== 'string' || schedule.trim() === '') throw new errors.ValidationError('schedule must be a cron expression (a non-empty string)');
  if (schedule.length > MAX_LENGTH) throw new errors.ValidationError(`schedule must be at most ${MAX_LENGTH} characters`);
  if (timezone !== undefined && typeof timezone !== 'string') throw new errors.ValidationError('timezone must be one IANA time zone name');
  return { schedule: schedule.trim(), timezone: timezone && timezone.trim() ? timezone.trim() : null };
};
