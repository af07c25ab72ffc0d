/** The restore UI's pure pieces: its phases, where a record stands in them, the typed confirmation, the 503 it meets. */
import { RESTORE_STEPS } from '../../shared/constants';
import { STEP_LABELS, confirmMatches, isRefused, isSiteRestoring, phaseStates, restorePhases } from '../../admin/src/utils/restore';

const running = (step: string | null, percent = 10) => ({ status: 'running' as const, progress: step ? { step, percent } : null });

describe('restore phases', () => {
  it('are the server’s steps: with the safety backup by default, project files only when asked (the CLI)', () => {
    expect(restorePhases(null)).toEqual(['verify', 'safety-backup', 'database', 'uploads', 'done']);
    expect(restorePhases({ safetyBackup: true, files: false })).toEqual(['verify', 'safety-backup', 'database', 'uploads', 'done']);
    expect(restorePhases({ safetyBackup: false })).toEqual(['verify', 'database', 'uploads', 'done']);
    expect(restorePhases({ safetyBackup: true, files: true })).toEqual([...RESTORE_STEPS]);
  });

  it('each has a label: Verify → Safety backup → Database → Uploads → Done', () => {
    expect(restorePhases(null).map((step) => STEP_LABELS[step])).toEqual(['Verify', 'Safety backup', 'Database', 'Uploads', 'Done']);
    // A backup's own steps are named too.
    expect(['database', 'uploads', 'files', 'finalize'].map((step) => STEP_LABELS[step as keyof typeof STEP_LABELS])).toEqual([
      'Database',
      'Uploads',
      'Project files',
      'Finishing',
    ]);
  });
});

describe('where a restore stands', () => {
  const phases = restorePhases(null);
  it('waits whole while queued, starts by verifying before its first report', () => {
    expect(phaseStates(phases, { status: 'queued', progress: null })).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    expect(phaseStates(phases, running(null))).toEqual(['current', 'pending', 'pending', 'pending', 'pending']);
  });

  it('marks the steps before the current one done', () => {
    expect(phaseStates(phases, running('database', 55))).toEqual(['done', 'done', 'current', 'pending', 'pending']);
    expect(phaseStates(phases, running('uploads', 90))).toEqual(['done', 'done', 'done', 'current', 'pending']);
  });

  it('is all done once completed, or at `done` before the status follows', () => {
    expect(phaseStates(phases, { status: 'completed', progress: { step: 'done', percent: 100 } })).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(phaseStates(phases, running('done', 100))).toEqual(['done', 'done', 'done', 'done', 'done']);
  });

  it('shows where a failed restore stopped, and nothing done when it never started', () => {
    expect(phaseStates(phases, { status: 'failed', progress: { step: 'verify', percent: 3 } })).toEqual(['failed', 'pending', 'pending', 'pending', 'pending']);
    expect(phaseStates(phases, { status: 'failed', progress: { step: 'safety-backup', percent: 30 } })).toEqual([
      'done',
      'failed',
      'pending',
      'pending',
      'pending',
    ]);
    expect(phaseStates(phases, { status: 'cancelled', progress: null })).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
  });

  it('without a safety backup, the database follows the verify', () => {
    expect(phaseStates(restorePhases({ safetyBackup: false }), running('database'))).toEqual(['done', 'current', 'pending', 'pending']);
  });

  it('an unknown step marks nothing rather than the wrong phase', () => {
    expect(phaseStates(phases, running('something-new'))).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
  });
});

describe('the typed confirmation', () => {
  const file = 'default-12-2026-11-23T10-00-00.tar';
  it('matches the archive’s file name exactly, blanks around it forgiven', () => {
    expect(confirmMatches(file, file)).toBe(true);
    expect(confirmMatches(`  ${file}\n`, file)).toBe(true);
  });

  it('refuses anything else: empty, a prefix, another case, an archive without a name', () => {
    expect(confirmMatches('', file)).toBe(false);
    expect(confirmMatches(file.slice(0, -1), file)).toBe(false);
    expect(confirmMatches(file.toUpperCase(), file)).toBe(false);
    expect(confirmMatches(`${file}x`, file)).toBe(false);
    expect(confirmMatches('', null)).toBe(false);
    expect(confirmMatches('', '')).toBe(false);
  });
});

describe('what the restore gate answers', () => {
  it('is the 503 ServiceUnavailableError, not any error', () => {
    expect(isSiteRestoring({ status: 503, name: 'ServiceUnavailableError', message: 'A restore of this site is running' })).toBe(true);
    expect(isSiteRestoring({ status: 503, name: 'UnknownError' })).toBe(false);
    expect(isSiteRestoring({ status: 500, name: 'ServiceUnavailableError' })).toBe(false);
    expect(isSiteRestoring(undefined)).toBe(false);
  });

  it('a refused restore is a failed restore with reason refused', () => {
    expect(isRefused({ kind: 'restore', status: 'failed', statusReason: 'refused' })).toBe(true);
    expect(isRefused({ kind: 'restore', status: 'failed', statusReason: 'error' })).toBe(false);
    expect(isRefused({ kind: 'backup', status: 'failed', statusReason: 'refused' })).toBe(false);
  });
});
