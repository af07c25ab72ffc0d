/**
 * The queue's rules, as pure functions of what the locking transaction read (queue.ts applies them):
 * whether a request is accepted, refused and why, at which position, and which job may start.
 * Unit-tested without a database (tests/unit/queue-rules.test.ts); the transactions that make the
 * facts true at the moment of the decision are queue.ts's.
 */
import type { RecordKind, Trigger } from '../../../shared/constants';
import type { BackupRecord, Profile, RestoreRequestOptions, RestoreSource } from '../../../shared/contracts';

export type RejectReason = 'busy' | 'queue-full' | 'duplicate' | 'restore-pending';

export type Decision =
  /** position 0: starts now; n: n-th waiting behind the running job (or behind a restore). */
  { accepted: true; position: number; message: string } | { accepted: false; reason: RejectReason; record: BackupRecord | null; message: string };

/** What a trigger asks of the queue (queue.enqueue). */
export interface EnqueueRequest {
  profile: Profile;
  kind?: RecordKind;
  trigger: Trigger;
  requestedBy?: number | null;
  idempotencyKey?: string | null;
  /**
   * A `busy` or `queue-full` rejection still leaves a `cancelled` record (with the same
   * idempotency key), written under the profile lock: what a scheduled fire does.
   */
  recordRejection?: boolean;
  /** A restore's archive and options. */
  restore?: { source: RestoreSource; options: RestoreRequestOptions };
  /** Only this worker may start the job (a CLI restore runs in the process that asked for it). */
  pinnedTo?: string | null;
}

export type EnqueueResult =
  | (Extract<Decision, { accepted: true }> & { record: BackupRecord })
  | (Extract<Decision, { accepted: false }> & { rejectedRecord?: BackupRecord });

export type Rejection = Extract<Decision, { accepted: false }>;

/** What the enqueue of a backup read under its profile's lock. */
export interface BackupFacts {
  profile: Pick<Profile, 'name' | 'queueBehavior' | 'maxQueueDepth'>;
  kind: RecordKind;
  requestedBy: number | null;
  /** The profile's queued and running jobs, oldest first. */
  active: BackupRecord[];
  /** The site's pending (queued or running) restore, if any. */
  restore: BackupRecord | null;
}

const capitalize = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}`;
const label = (kind: RecordKind) => (kind === 'restore' ? 'restore' : 'backup');
const timeOf = (iso: string) => new Date(iso).toISOString().slice(11, 16);
const pendingOrRunning = (restore: BackupRecord) => (restore.status === 'running' ? 'running' : 'pending');

export function decideBackup({ profile, kind, requestedBy, active, restore }: BackupFacts): Decision {
  const running = active.find((r) => r.status === 'running') ?? null;
  // The job running, or the oldest queued one a worker is about to start.
  const head = running ?? active[0] ?? null;
  const waiting = active.filter((r) => r !== head);
  const what = label(kind);

  if (requestedBy !== null) {
    const mine = waiting.find((r) => r.requestedBy === requestedBy && r.kind === kind);
    if (mine) {
      return {
        accepted: false,
        reason: 'duplicate',
        record: mine,
        message: `You already have a ${what} of “${profile.name}” waiting (record ${mine.id}); it will start when the current one completes.`,
      };
    }
  }
  // A restore excludes every job on the site: backups wait behind it, as if it ran on their profile.
  if (restore && profile.queueBehavior !== 'queue') {
    return {
      accepted: false,
      reason: 'busy',
      record: restore,
      message: `A restore of the site is ${pendingOrRunning(restore)} (record ${restore.id}); no backup starts until it has finished. Try again then.`,
    };
  }
  if (head && profile.queueBehavior !== 'queue') {
    return {
      accepted: false,
      reason: 'busy',
      record: head,
      message: head.startedAt
        ? `A ${label(head.kind)} of “${profile.name}” is already running (record ${head.id}, started ${timeOf(head.startedAt)}). Wait for it to finish or cancel it.`
        : `A ${label(head.kind)} of “${profile.name}” is about to start (record ${head.id}). Wait for it to finish or cancel it.`,
    };
  }
  if (head && waiting.length >= profile.maxQueueDepth) {
    return {
      accepted: false,
      reason: 'queue-full',
      record: head,
      message: `The queue for “${profile.name}” is full (${waiting.length} waiting). Try again when a ${what} has finished.`,
    };
  }
  if (!head && !restore) return { accepted: true, position: 0, message: `${capitalize(what)} of “${profile.name}” started.` };
  const position = head ? waiting.length + 1 : 1;
  return {
    accepted: true,
    position,
    message: head
      ? `${capitalize(what)} queued — will start when the current ${label(head.kind)} completes (position ${position} in the queue).`
      : `${capitalize(what)} queued — will start when the restore of the site completes (position ${position} in the queue).`,
  };
}

/** A restore, under the site lock: one pending at a time on the whole site (a second would undo the first). */
export function decideRestore({ restore, runningCount }: { restore: BackupRecord | null; runningCount: number }): Decision {
  if (restore) {
    return {
      accepted: false,
      reason: 'restore-pending',
      record: restore,
      message: `A restore of the site is already ${pendingOrRunning(restore)} (record ${restore.id}). Wait for it to finish or cancel it.`,
    };
  }
  if (runningCount === 0) return { accepted: true, position: 0, message: 'Restore started.' };
  return {
    accepted: true,
    position: 1,
    message: `Restore queued — will start when the ${runningCount === 1 ? 'running job completes' : `${runningCount} running jobs complete`}; no new backup starts before it.`,
  };
}

/** FIFO: only a profile's oldest active job may start, and only when none of the profile runs. */
export function nextToStart(active: BackupRecord[]): BackupRecord | null {
  const [oldest] = active;
  return oldest && oldest.status === 'queued' ? oldest : null;
}
