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
