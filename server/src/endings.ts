/**
 * How a job whose process died ends, whoever finds it: the failsafe's sweep (services/failsafe.ts)
 * or a boot that needs the profile (pre-sync/raw-records.ts). One wording, so an operator reads
 * the same thing whichever found it.
 */
import type { RecordStatus } from '../../shared/constants';

export type LostEnding = {
  status: Extract<RecordStatus, 'failed' | 'cancelled'>;
  statusReason: 'worker-lost';
  finishedAt: Date;
  message: string;
};

/** `silentFor`: how long no heartbeat came, when known. */
export function lostEnding(job: { kind: string; status: string }, now: Date, silentFor: number | null = null): LostEnding {
  const silence = silentFor === null ? 'found with no recent heartbeat' : `no heartbeat for ${Math.round(silentFor / 1000)} s`;
  // A queued job with a heartbeat is a restore waiting for the CLI process that asked for it.
  if (job.status === 'queued') {
    return {
      status: 'cancelled',
      statusReason: 'worker-lost',
      finishedAt: now,
      message: `The process that asked for it stopped answering (${silence}); nothing was changed.`,
    };
  }
  return {
    status: 'failed',
    statusReason: 'worker-lost',
    finishedAt: now,
    message:
      job.kind === 'restore'
        ? `Its worker stopped answering (${silence}). A database load that did not commit was rolled back with its connection; the uploads are swapped in only after the commit.`
        : `Its worker stopped answering (${silence}); no archive was kept.`,
  };
}
