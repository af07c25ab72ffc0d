/** What the admin REST API answers: the shared contracts, with what the controllers add. */
import type { RecordStatus, StatusReason } from '../../shared/constants';
import type { Activity, BackupRecord as ServerRecord, Profile, StorageReport, Summary as ServerSummary } from '../../shared/contracts';

export type { Activity, Profile, RecordStatus, StatusReason, StorageReport };

export type BackupRecord = ServerRecord & { requester?: { id: number; name: string } | null };

export type Summary = Omit<ServerSummary, 'running' | 'lastCompleted' | 'lastFailed'> & {
  running: BackupRecord[];
  lastCompleted: BackupRecord | null;
  lastFailed: BackupRecord | null;
};

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}

export interface RecordsQuery {
  status?: string;
  kind?: string;
  profile?: string;
  page?: number;
  pageSize?: number;
}

export interface RunResult {
  data: BackupRecord;
  meta: { position: number };
  message: string;
}

/** `POST /records/:documentId/restore`: the archive's file name typed to confirm, and the options. */
export interface RestoreRequest {
  documentId: string;
  confirm: string;
  safetyBackup: boolean;
  force: boolean;
}

export interface SchedulePreview {
  schedule: string;
  timezone: string | null;
  problem: string | null;
  next: string[];
}

export interface VerifyResult {
  ok: boolean;
  errors: string[];
  sha256: string;
}

/** An error as the admin's fetch layer hands it over (Strapi's error body). */
export interface ApiError {
  status?: number;
  name?: string;
  message?: string;
  details?: { reason?: string; record?: BackupRecord | null; errors?: Array<{ path: string[]; message: string }> };
}

export type ProfileInput = Partial<Omit<Profile, 'id' | 'documentId'>>;
