/** Formatting shared by the CLI and the admin panel (pure: no Node or Strapi imports). */

/** `221696` → `216.5 KB`; null (no archive yet) → `-`. */
export const formatBytes = (value: number | string | null | undefined): string => {
  if (value === null || value === undefined) return '-';
  let size = Number(value);
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${size.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
};

/** `95` s → `1 min 35 s`; null while a job has not both started and finished (or is still running). */
export const formatDuration = (startedAt: string | null | undefined, finishedAt: string | null | undefined, now = Date.now()): string | null => {
  if (!startedAt) return null;
  const ms = (finishedAt ? Date.parse(finishedAt) : now) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return null;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};
