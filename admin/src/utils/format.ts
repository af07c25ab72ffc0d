/** Durations and relative times for records (pure; dates come as ISO strings from the API). */
export { formatBytes, formatDuration } from '../../../shared/format';

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** The unit and value to give Intl.RelativeTimeFormat: `{ value: -3, unit: 'hour' }` for 3 hours ago. */
export const relativeTime = (iso: string, now = Date.now()): { value: number; unit: Intl.RelativeTimeFormatUnit } => {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return { value: Math.round(seconds / size), unit };
  }
  return { value: 0, unit: 'second' };
};
