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
  /** sha256 of the archive file as read. */
  sha256: string;
  size: number;
}
