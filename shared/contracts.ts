/**
 * What the admin REST API answers, as the server's services return it: the one definition both the
 * server and the admin panel compile against.
 */
import type { QueueBehavior, RecordKind, RecordStatus, StatusReason, Trigger } from './constants';
import type { NotifySettings } from './mail-template';

export interface BackupRecord {
  id: number;
  documentId: string;
  kind: RecordKind;
  status: RecordStatus;
  statusReason: StatusReason | null;
  trigger: Trigger;
  requestedBy: number | null;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
  worker: string | null;
  progress: { percent: number; step: string; detail?: string } | null;
  stats: { tables: Record<string, number>; files: number; bytes: number } | null;
  archiveFile: string | null;
  archiveSize: string | number | null;
  archiveSha256: string | null;
  encrypted: boolean;
  /** Exempt from retention: set by an admin (RBAC delete), never by the plugin. Null on rows older than the flag. */
  keep: boolean | null;
  message: string | null;
  /** Why the notification e-mail of this job could not be sent (services/mailer.ts), or null. */
  emailError: string | null;
  /**
   * Ended while Strapi was booting (the pre-update / pre-uninstall hooks), before its webhooks
   * were loaded: its final event is still to be sent (notifier.announcePending).
   */
  eventPending: boolean | null;
  cancelRequested: boolean;
  idempotencyKey: string | null;
  /** A restore's archive and how it was asked for (null on backups). */
  restoreSource: RestoreSource | null;
  restoreOptions: RestoreRequestOptions | null;
  profile?: { id: number; documentId: string; name: string } | null;
}

/** Which archive a restore puts back: a backup record's (by name in the storage directory) or, from the CLI, a file. */
export interface RestoreSource {
  /** documentId of the backup record whose archive it is, when it is one. */
  record: string | null;
  /** The archive's name in the storage directory, or null for a file given by path. */
  archiveFile: string | null;
  /** Absolute path of an archive outside the storage directory (the CLI's `restore <file>`); never from a request. */
  path: string | null;
  /** The archive's sha256 as its backup recorded it, checked before anything changes. */
  sha256: string | null;
}

export interface RestoreRequestOptions {
  /** Back up the current site first (trigger `pre-restore`). */
  safetyBackup: boolean;
  /** Restore what the archive and the database have in common when their schemas differ. */
  force: boolean;
  /** Also put back the project files (`src/`, `config/`, …), and `.env` with `env` (CLI only). */
  files: boolean;
  env: boolean;
}

export interface Profile {
  id: number;
  documentId: string;
  name: string;
  description?: string | null;
  queueBehavior: QueueBehavior;
  maxQueueDepth: number;
  includeDatabase: boolean;
  excludeTables: string[] | null;
  includeUploads: boolean;
  includeProjectFiles: boolean;
  schedule: string | null;
  timezone: string | null;
  retainCount: number | null;
  retainDays: number | null;
  format: 'tar' | 'tar.gz';
  encrypt: boolean;
  timeoutMinutes: number;
  /** The notification e-mail (mail/template.ts); null sends none. */
  notify: NotifySettings | null;
  isDefault: boolean;
}

export interface ArchiveFile {
  name: string;
  size: number;
}

/** A record that names an archive, or a job that may be writing one (its name carries the record id). */
export interface ArchiveOwner {
  id: number;
  documentId: string;
  status: RecordStatus;
  archiveFile: string | null;
  profile: { documentId: string; name: string } | null;
}

export interface ProfileUsage {
  /** Null for the records of a deleted profile. */
  profile: { documentId: string; name: string } | null;
  archives: number;
  bytes: number;
}

export interface StorageReport {
  directory: string;
  /** Every archive in the directory, orphans included. */
  totalBytes: number;
  /** Free on the directory's disk for this process; null when the disk could not be asked. */
  freeBytes: number | null;
  profiles: ProfileUsage[];
  orphans: ArchiveFile[];
  missing: { id: number; documentId: string; archiveFile: string; profile: string | null }[];
}

export interface Summary {
  queued: number;
  running: BackupRecord[];
  /** The last completed backup (never a restore). */
  lastCompleted: BackupRecord | null;
  lastFailed: BackupRecord | null;
  /** A restore is queued or running: what the Content Manager warns editors about. */
  restorePending: boolean;
}

/**
 * What any signed-in admin may know, whatever their role: whether to warn before a save. Nothing
 * that names a record, a profile, a requester or a worker.
 */
export interface Activity {
  backupRunning: boolean;
  backupQueued: boolean;
  /** A restore is queued or running: what is saved now will be overwritten. */
  restorePending: boolean;
  /** A restore completed since this instance booted: it must restart to read the restored site. */
  restartRequired: boolean;
}
