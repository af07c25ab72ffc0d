/**
 * Types shared by the backup engine. The engine knows nothing of Strapi: it is given a knex
 * connection, paths, an AbortSignal and a progress callback.
 */
import type { Knex } from 'knex';

export type Dialect = 'sqlite' | 'postgres' | 'mysql';
export type ArchiveFormat = 'tar' | 'tar.gz';
export type ProgressStep = 'database' | 'uploads' | 'files' | 'finalize';

export interface Progress {
  step: ProgressStep;
  /** 0..100, never decreases during one backup. */
  percent: number;
  detail?: string;
}

export interface ColumnInfo {
  name: string;
  /** Type as the database names it (e.g. `timestamp(6) without time zone`, `varchar(255)`). */
  type: string;
  /** Portable family the value encoding is chosen from. */
  kind: 'integer' | 'bigint' | 'decimal' | 'float' | 'boolean' | 'string' | 'text' | 'json' | 'binary' | 'datetime' | 'date' | 'time' | 'other';
  nullable: boolean;
  /**
   * `json` columns only: `text` when the archive holds each value as the column's text (backups
   * write this); absent in older archives, whose JSON values were parsed (see encode.ts).
   */
  encoding?: 'text';
}

export interface IndexInfo {
  name: string;
  columns: string[];
  unique: boolean;
  primary: boolean;
}

export interface TableManifest {
  name: string;
  rows: number;
  /** sha256 (hex) of the archive entry `db/<name>.ndjson.gz` as stored. */
  sha256: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  indexes: IndexInfo[];
}

export interface FileManifest {
  /** Path inside the archive, `uploads/...` or `files/...`, always forward slashes. */
  path: string;
  size: number;
  sha256: string;
}

/**
 * What the backup covered. A restore needs it to tell an archive without uploads from a site
 * whose upload directory was empty, and a table left out on purpose from one that is missing.
 * Absent from archives written before it existed (restore then infers it from the entries).
 */
export interface ManifestContents {
  database: boolean;
  /** Tables the profile excluded: a restore leaves them as they are. */
  excludedTables: string[];
  uploads: boolean;
  projectFiles: boolean;
  env: boolean;
}

export interface Manifest {
  format: 'strapi-plugin-backup';
  formatVersion: 1;
  createdAt: string;
  strapiVersion: string | null;
  pluginVersion: string | null;
  dialect: Dialect;
  profile: Record<string, unknown> | null;
  tables: TableManifest[];
  files: FileManifest[];
  contents?: ManifestContents;
}

export interface BackupOptions {
  /** The application's own knex connection (Strapi: `strapi.db.connection`). */
  knex: Knex;
  dialect: Dialect;
  includeDatabase: boolean;
  /** Tables never dumped (exact names). */
  excludeTables?: string[];
  /** Absolute upload directory, archived under `uploads/`; null/undefined to skip. */
  uploadsDir?: string | null;
  /** Absolute app directory, selected project files archived under `files/`; null to skip. */
  projectDir?: string | null;
  /** Absolute directories never archived as project files (e.g. the backups directory). */
  projectExclude?: string[];
  includeEnv?: boolean;
  format: ArchiveFormat;
  /** Final archive path. Written as `<outFile>.partial`, fsynced, then renamed. */
  outFile: string;
  /** Scratch directory for staging (created and removed by the engine). */
  tmpDir: string;
  meta: Pick<Manifest, 'strapiVersion' | 'pluginVersion' | 'profile'>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Rows per keyset page; default in engine/constants. */
  batchSize?: number;
}

export interface BackupStats {
  /** Rows per table. */
  tables: Record<string, number>;
  files: number;
  /** Bytes of uploads and project files read from disk. */
  bytes: number;
}

export interface BackupResult {
  file: string;
  size: number;
  sha256: string;
  manifest: Manifest;
  stats: BackupStats;
}

export interface VerifyResult {
  ok: boolean;
  /** One line each, naming the entry and what is wrong. Empty when ok. */
  errors: string[];
  manifest: Manifest | null;
  /** sha256 of the archive file as read; empty when `forRestore` had no recorded one to compare it with. */
  sha256: string;
  size: number;
}

/** Phases of a restore, in order: `verify` is reported by checkArchive, the rest by restoreArchive. */
export type RestoreStep = 'verify' | 'database' | 'uploads' | 'files' | 'done';

export interface RestoreProgress {
  step: RestoreStep;
  /** 0..100 within the call that reports it; never decreases; 100 is sent once, at the end. */
  percent: number;
  detail?: string;
}

export interface CheckOptions {
  /** The application's knex (Strapi: `strapi.db.connection`); only read. */
  knex: Knex;
  dialect: Dialect;
  /** Tables a restore never touches and never compares (the plugin's own tables). */
  keepTables?: string[];
  /** The archive sha256 the caller recorded (a backup record's `archiveSha256`). */
  expectedSha256?: string;
  /**
   * The restore comes right after the check (no safety backup between them): read only the
   * manifest now, from the end of a plain tar, and leave the entries and expectedSha256 to the
   * restore, which checks them as it reads the archive before its commit (one read instead of
   * two). A damaged archive is then refused by the restore, still with nothing changed. A
   * gzipped archive, or one whose manifest is not at its end, is checked in full.
   */
  deferEntries?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: RestoreProgress) => void;
}

/** What a check left to the restore (CheckOptions.deferEntries): pass it on as RestoreOptions.deferred. */
export interface DeferredCheck {
  /** The sha256 the whole file must have (the record's), or null when nothing vouches for it. */
  sha256: string | null;
  /** The sha256 of the manifest the check read: the archive's own entry must still be it. */
  manifestSha256: string;
}

export interface ArchiveCheck {
  /** Restorable as it is: no errors and no differences. */
  ok: boolean;
  verify: VerifyResult;
  /** Refusals that `force` cannot override: verify failures, another database dialect. */
  errors: string[];
  /** Schema differences, one readable line each: `force` restores the common part. */
  differences: string[];
  manifest: Manifest | null;
  /** Set when only the manifest was read (CheckOptions.deferEntries): the restore must check the rest. */
  deferred: DeferredCheck | null;
}

export interface RestoreOptions {
  /** The application's knex. The database load holds one of its connections for its length. */
  knex: Knex;
  dialect: Dialect;
  /** The archive checkArchive accepted, and the manifest it returned (entries are re-hashed against it). */
  file: string;
  manifest: Manifest;
  /** Tables never emptied nor loaded (the plugin's own tables and their link tables). */
  keepTables?: string[];
  /** Restore the tables and columns the archive and the database have in common. */
  force?: boolean;
  /** The site's upload directory, replaced by the archive's `uploads/`; null leaves it alone. */
  uploadsDir?: string | null;
  /** The app directory for project files; null (default) restores none. */
  projectDir?: string | null;
  /** Restore `files/` (config, src, …) into projectDir (the CLI's `--files`). */
  restoreFiles?: boolean;
  /** Also restore `.env` when the archive has it (the CLI's `--env`). */
  includeEnv?: boolean;
  /** Absolute paths inside projectDir never touched (e.g. the backups directory). */
  projectExclude?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: RestoreProgress) => void;
  /** Most rows per INSERT; also bounded by each dialect's parameter limit and a byte budget. */
  batchSize?: number;
  /**
   * Leave the replaced uploads and project files, set aside in hidden `.<name>-old-<hex>`
   * directories, for the caller to remove once the restore has ended (restoreLeftovers finds
   * them): the queue does so after the site stops answering 503. By default they are removed
   * before restoreArchive returns.
   */
  keepReplaced?: boolean;
  /** The check's `deferred`: also compare the whole file's sha256 and the manifest entry before the commit. */
  deferred?: DeferredCheck | null;
}

export interface RestoreResult {
  /** Rows loaded per restored table. */
  tables: Record<string, number>;
  skipped: {
    /** Archive tables not restored (not in the database; force only). */
    tables: string[];
    /** Archive columns not restored, as `table.column` (force only). */
    columns: string[];
  };
  /** Database tables the archive does not have, left as they are (force, or excluded by the backup's profile). */
  untouched: string[];
  /** Whether the upload directory was replaced, and project files written. */
  uploads: 'replaced' | 'unchanged';
  projectFiles: 'replaced' | 'unchanged';
  /** Upload and project files written, and their bytes. */
  files: number;
  bytes: number;
}
