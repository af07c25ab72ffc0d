/** Durations and relative times for records (pure; dates come as ISO strings from the API). */
export { formatBytes } from '../../../server/src/format';

/** `95` → `1 min 35 s`; null while a job has not both started and finished (or is still running). */
export const formatDuration = (startedAt: string | null, finishedAt: string | null, now = Date.now()): string | null => {
  if (!startedAt) return null;
  const ms = (finishedAt ? Date.parse(finishedAt) : now) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return null;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

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
