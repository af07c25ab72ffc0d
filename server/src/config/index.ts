/**
 * Plugin configuration (`config/plugins` → `backup.config`), with its defaults and a validator
 * that fails the boot with a message naming the bad key.
 */
import { isPlainObject } from '../utils';

export interface HooksConfig {
  preUpdate: boolean;
  preUninstall: boolean;
  /** Profile name the hooks use; empty means the default profile. */
  profile: string | null;
  failOpen: boolean;
  waitMs: number;
}

export interface PluginConfig {
  storage: { directory: string | null };
  /**
   * Archive the app's `.env` with the project files. A server setting, never a profile field: the
   * file holds the JWT secrets and ENCRYPTION_KEY, so only whoever edits config/plugins decides.
   */
  includeEnv: boolean;
  worker: { enabled: boolean; concurrency: number; pollMs: number; shutdownGraceMs: number };
  heartbeatMs: number;
  /** Cron rule of the failsafe that frees stuck jobs. */
  failsafeCron: string;
  hooks: HooksConfig;
  /** The shortest time between two fires of a profile's schedule. */
  schedules: { minIntervalSeconds: number };
  /** Backup requests per API token (`POST /api/backup/runs`); max 0 lifts the limit. */
  contentApi: { rateLimit: { max: number; intervalMs: number } };
  /**
   * `cron`: the rule of the daily pass that applies every profile's retention and checks the
   * backup directory. `safetyBackupDays`: how long pre-update, pre-uninstall and pre-restore
   * backups are spared by retention (0: no longer than any other backup).
   */
  retention: { cron: string; safetyBackupDays: number };
}

export const defaultConfig: PluginConfig = {
  storage: { directory: null },
  includeEnv: false,
  worker: { enabled: true, concurrency: 1, pollMs: 5000, shutdownGraceMs: 30000 },
  heartbeatMs: 10000,
  failsafeCron: '* * * * *',
  hooks: { preUpdate: true, preUninstall: true, profile: null, failOpen: false, waitMs: 10 * 60 * 1000 },
  schedules: { minIntervalSeconds: 60 },
  contentApi: { rateLimit: { max: 10, intervalMs: 60_000 } },
  // At night, away from the top of the hour where schedules (often 03:00) start their backups.
  retention: { cron: '40 4 * * *', safetyBackupDays: 30 },
};

type Check = (value: unknown) => string | null;
type Shape = { [key: string]: Check | Shape };

const nullableString: Check = (v) => (v === null || typeof v === 'string' ? null : 'must be a string');
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const intBetween =
  (min: number, max: number): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? null : `must be an integer from ${min} to ${max}`;
const nonEmptyString: Check = (v) => (typeof v === 'string' && v.trim() !== '' ? null : 'must be a non-empty string');

const shape: Shape = {
  storage: { directory: nullableString },
  includeEnv: bool,
  worker: {
    enabled: bool,
    concurrency: intBetween(1, 16),
    pollMs: intBetween(100, 3600000),
    shutdownGraceMs: intBetween(0, 3600000),
  },
  heartbeatMs: intBetween(100, 3600000),
  failsafeCron: nonEmptyString,
  hooks: {
    preUpdate: bool,
    preUninstall: bool,
    profile: nullableString,
    failOpen: bool,
    waitMs: intBetween(0, 24 * 3600000),
  },
  schedules: { minIntervalSeconds: intBetween(1, 7 * 24 * 3600) },
  contentApi: { rateLimit: { max: intBetween(0, 100000), intervalMs: intBetween(1000, 24 * 3600000) } },
  retention: { cron: nonEmptyString, safetyBackupDays: intBetween(0, 36500) },
};

/** Every problem in `config`, one line each, with its dotted key. */
export const configErrors = (config: unknown, spec: Shape = shape, prefix = ''): string[] => {
  if (!isPlainObject(config)) return [`${prefix || 'config'} must be an object`];
  const errors: string[] = [];
  for (const key of Object.keys(config)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const rule = spec[key];
    if (!rule) {
      errors.push(`${path} is not a known option (known: ${Object.keys(spec).join(', ')})`);
    } else if (typeof rule === 'function') {
      const problem = config[key] === undefined ? null : rule(config[key]);
      if (problem) errors.push(`${path} ${problem}`);
    } else if (config[key] !== undefined) {
      errors.push(...configErrors(config[key], rule, path));
    }
  }
  return errors;
};

export default {
  default: defaultConfig,
  validator(config: unknown) {
    const errors = configErrors(config);
    if (errors.length > 0) {
      throw new Error(`Invalid backup plugin configuration (config/plugins → backup.config): ${errors.join('; ')}`);
    }
  },
};
