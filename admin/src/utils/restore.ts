/**
 * The pure half of the restore UI: which phases a restore goes through, where one stands, and the
 * typed confirmation. No React here, so the unit tests read it as the admin does.
 */
import { RESTORE_STEPS, type RestoreStepName } from '../../../shared/constants';
import type { ApiError, BackupRecord } from '../types';

/**
 * Every step name a record's progress may carry, in English (translated under `step.<name>`):
 * a restore's (RESTORE_STEPS) and a backup's (the engine's database, uploads, files, finalize).
 */
export const STEP_LABELS: Record<RestoreStepName | 'finalize', string> = {
  verify: 'Verify',
  'safety-backup': 'Safety backup',
  database: 'Database',
  uploads: 'Uploads',
  files: 'Project files',
  done: 'Done',
  finalize: 'Finishing',
};

export const isKnownStep = (step: string): step is keyof typeof STEP_LABELS => Object.prototype.hasOwnProperty.call(STEP_LABELS, step);

/**
 * The phases a restore shows, in order: the safety backup only when it was asked for (it is by
 * default), the project files only when the CLI asked for them (the admin never does).
 */
export const restorePhases = (options: { safetyBackup?: boolean; files?: boolean } | null | undefined): RestoreStepName[] =>
  RESTORE_STEPS.filter((step) => (step !== 'safety-backup' || options?.safetyBackup !== false) && (step !== 'files' || options?.files === true));

export type PhaseState = 'pending' | 'current' | 'done' | 'failed';

/**
 * Where each phase stands for a record: those before its progress step are done, its step is
 * current (or failed, when the record ended there), the rest wait. A completed restore has done
 * them all; one that ended before reporting anything (cancelled while queued) did none.
 */
export const phaseStates = (phases: readonly string[], record: Pick<BackupRecord, 'status' | 'progress'>): PhaseState[] => {
  if (record.status === 'completed') return phases.map(() => 'done');
  if (record.status === 'queued') return phases.map(() => 'pending');
  const step = record.progress?.step;
  const ended = record.status === 'failed' || record.status === 'cancelled';
  if (ended && !step) return phases.map(() => 'pending');
  // Running before its first report: it starts by verifying.
  const at = step ? phases.indexOf(step) : 0;
  if (at < 0) return phases.map(() => 'pending');
  // `done` at 100 %: only the record's own status is still to be written.
  if (step === 'done' && !ended) return phases.map(() => 'done');
  return phases.map((_, i) => (i < at ? 'done' : i > at ? 'pending' : ended ? 'failed' : 'current'));
};

/**
 * Whether the typed text names the archive. Exact, as the server compares it, but blanks around it
 * are forgiven: a pasted name often carries one.
 */
export const confirmMatches = (typed: string, archiveFile: string | null | undefined): boolean => Boolean(archiveFile) && typed.trim() === archiveFile;

/** A request refused because a restore of the site is running (the restore gate's 503). */
export const isSiteRestoring = (error: unknown): boolean => {
  const e = error as ApiError | undefined;
  return e?.status === 503 && e.name === 'ServiceUnavailableError';
};

/** A restore that ended without changing anything because its archive was refused. */
export const isRefused = (record: Pick<BackupRecord, 'kind' | 'status' | 'statusReason'>): boolean =>
  record.kind === 'restore' && record.status === 'failed' && record.statusReason === 'refused';
