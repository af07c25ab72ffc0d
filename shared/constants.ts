/** Every UID, status list, RBAC action and default of the plugin, in one place. */

export const PLUGIN_ID = 'backup';

export const UID = {
  profile: 'plugin::backup.profile',
  record: 'plugin::backup.record',
  /** Strapi's admin users: who asked for a job (record.requestedBy). */
  adminUser: 'admin::user',
} as const;

export const RECORD_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];
/** Statuses a record never leaves. */
export const FINAL_STATUSES: readonly RecordStatus[] = ['completed', 'failed', 'cancelled'];
/** Statuses of a job that has not ended: waiting for a worker, or in one. */
export const ACTIVE_STATUSES: readonly RecordStatus[] = ['queued', 'running'];
export const isFinalStatus = (status: RecordStatus): boolean => FINAL_STATUSES.includes(status);
export const isActiveStatus = (status: RecordStatus): boolean => ACTIVE_STATUSES.includes(status);

export const RECORD_KINDS = ['backup', 'restore'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const TRIGGERS = ['admin', 'cli', 'schedule', 'pre-update', 'pre-uninstall', 'pre-restore', 'api'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** Why a record ended the way it did (statusReason). */
/** `refused`: a restore whose archive failed its check (verify or schema), before anything changed. */
export const STATUS_REASONS = ['user', 'timeout', 'worker-lost', 'worker-stopped', 'error', 'refused', 'busy', 'queue-full', 'restore-pending'] as const;
export type StatusReason = (typeof STATUS_REASONS)[number];

export const QUEUE_BEHAVIORS = ['cancel', 'queue'] as const;
export type QueueBehavior = (typeof QUEUE_BEHAVIORS)[number];

export const ARCHIVE_FORMATS = ['tar', 'tar.gz'] as const;

export const DEFAULT_PROFILE = {
  name: 'Full site',
  description: 'Database, uploaded media and project files.',
  queueBehavior: 'cancel',
  isDefault: true,
  // A new site must not fill its disk with archives before anyone looks at the settings.
  retainCount: 10,
} as const;

export const PROFILE_LIMITS = {
  maxQueueDepth: { min: 1, max: 50, default: 3 },
  timeoutMinutes: { min: 1, max: 24 * 60, default: 30 },
} as const;

/** How often a running job writes its progress to its record. */
export const PROGRESS_WRITE_MS = 1000;
/** Writes of a finished job's record before its archive is given up (waiting 1×, 2×… this between). */
export const RECORD_WRITE_ATTEMPTS = 3;
export const RECORD_WRITE_RETRY_MS = 500;

export const ACTIONS = {
  read: 'plugin::backup.read',
  run: 'plugin::backup.run',
  cancel: 'plugin::backup.cancel',
  restore: 'plugin::backup.restore',
  download: 'plugin::backup.download',
  delete: 'plugin::backup.delete',
  manageProfiles: 'plugin::backup.profiles.manage',
} as const;

/** What `registerMany` receives; `uid` is the part after `plugin::backup.`. */
export const RBAC_ACTIONS = [
  { uid: 'read', displayName: 'Read backups' },
  { uid: 'run', displayName: 'Run backups' },
  { uid: 'cancel', displayName: 'Cancel jobs' },
  { uid: 'restore', displayName: 'Restore backups' },
  { uid: 'download', displayName: 'Download archives' },
  { uid: 'delete', displayName: 'Delete backups' },
  { uid: 'profiles.manage', displayName: 'Manage profiles' },
].map((action) => ({ ...action, section: 'plugins', pluginName: PLUGIN_ID }));

/** Exit codes of the `strapi-backup` CLI; every command uses the same ones. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  rejected: 3,
  /** The archive was refused: verify failed, or a restore found it damaged or incompatible (before changing anything). */
  verifyFailed: 4,
} as const;

/** Set by the CLI so that commands which only read do not start a worker in their process. */
export const WORKER_OFF_ENV = 'STRAPI_BACKUP_WORKER_OFF';

/** Strapi cron job names: one per scheduled profile, plus the resync of all schedules. */
export const SCHEDULE_JOB_PREFIX = 'backup-schedule-';
export const SCHEDULE_SYNC_JOB = 'backup-schedules-sync';
/** Picks up schedules changed by other instances (lifecycles only fire where the change was made). */
export const SCHEDULE_SYNC_RULE = '15 * * * * *';

/** Webhook events, keyed as Strapi's webhook store keys them; emitted at every record state change. */
export const WEBHOOK_EVENTS = {
  BACKUP_QUEUED: 'backup.queued',
  BACKUP_STARTED: 'backup.started',
  BACKUP_COMPLETED: 'backup.completed',
  BACKUP_FAILED: 'backup.failed',
  BACKUP_CANCELLED: 'backup.cancelled',
  RESTORE_QUEUED: 'restore.queued',
  RESTORE_STARTED: 'restore.started',
  RESTORE_COMPLETED: 'restore.completed',
  RESTORE_FAILED: 'restore.failed',
  RESTORE_CANCELLED: 'restore.cancelled',
} as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[keyof typeof WEBHOOK_EVENTS];

/**
 * Pre-update / pre-uninstall hooks. What the plugin recorded at the end of the last boot
 * (versions, plugins, components) lives in Strapi's core store under this key: a table every site
 * has, whose shape Strapi keeps stable across versions, and that no schema sync ever drops.
 */
export const BOOT_STATE = { type: 'plugin', name: PLUGIN_ID, key: 'boot-state' } as const;
/** Strapi's own tables the hooks read before the sync (names fixed in @strapi/database). */
export const STRAPI_TABLES = { coreStore: 'strapi_core_store_settings', schema: 'strapi_database_schema' } as const;
/** How often a boot hook looks again when another instance runs a job of its profile. */
export const HOOK_WAIT_POLL_MS = 1000;
/** Missed heartbeats before a running job counts as lost (failsafe and boot hooks alike). */
export const HEARTBEAT_LAPSE_BEATS = 3;
/** Tables named in a hook's "database schema changes (tables …)" line before "and N more". */
export const HOOK_MESSAGE_MAX_TABLES = 5;

/**
 * What a restore record's progress steps through, in order: the archive checked, the current site
 * backed up (unless asked not to), then the engine's database, uploads and project files.
 */
export const RESTORE_STEPS = ['verify', 'safety-backup', 'database', 'uploads', 'files', 'done'] as const;
export type RestoreStepName = (typeof RESTORE_STEPS)[number];
/** Share of a restore's progress bar each step takes (the engine reports within its own steps). */
export const RESTORE_STEP_WEIGHTS = { verify: 15, 'safety-backup': 25, load: 60 } as const;
/** What a site answers while a restore loads its database: come back after this many seconds. */
export const RESTORE_RETRY_AFTER_S = 30;

/**
 * Retention's daily pass on Strapi's cron (rule: config `retention.cron`): every profile's rules,
 * then the check of the backup directory against the records.
 */
export const RETENTION_JOB = 'backup-retention';
/**
 * Triggers of the safety copies taken before Strapi or a restore changes data: retention spares
 * them for `retention.safetyBackupDays` whatever the profile's rules.
 */
export const SAFETY_TRIGGERS: readonly Trigger[] = ['pre-update', 'pre-uninstall', 'pre-restore'];
/** Files or records named one by one in a line of the daily check's log; the storage route lists them all. */
export const STORAGE_CHECK_LOGGED = 20;

/** Free space a backup needs beyond its profile's last archive, as archives grow with the site. */
export const DISK_MARGIN = 1.2;

/** How long a download link handed to the admin's browser stays valid. */
export const DOWNLOAD_LINK_TTL_MS = 60_000;
