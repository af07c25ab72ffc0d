/**
 * The queue: every trigger enqueues here, every worker claims here.
 *
 * Correct across processes and dialects without relying on Strapi's `unique` (not a database
 * constraint): each decision runs in one short transaction that first writes the profile's row —
 * a row lock on PostgreSQL and MySQL, the database write lock on SQLite — so two enqueues or two
 * claims for one profile never interleave. Every later state change is a conditional UPDATE
 * (`WHERE id = ? AND status = ?`) whose row count says whether it won.
 */
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { ACTIVE_STATUSES, UID, type RecordStatus, type Trigger } from '../../../shared/constants';
import { lockEveryProfile, lockProfileRow } from '../locks';
import { getService, isUniqueViolation } from '../utils';
import type { BackupRecord, Profile } from '../../../shared/contracts';
import { decideBackup, decideRestore, nextToStart, type EnqueueRequest, type EnqueueResult, type Rejection } from './queue-rules';

/** True for exactly the error an insert of an already used idempotency key raises. */
export const isIdempotencyConflict = (error: unknown): boolean => isUniqueViolation(error, 'idempotency_key');

const createQueueService = ({ strapi }: { strapi: Core.Strapi }) => {
  const records = () => strapi.db.query(UID.record);

  const profilesTable = () => strapi.db.metadata.get(UID.profile).tableName;
  const lockProfile = (trx: Knex.Transaction, profileId: number) => lockProfileRow(trx, profilesTable(), profileId);
  const lockSite = (trx: Knex.Transaction) => lockEveryProfile(trx, profilesTable());

  /** The oldest restore queued or running on the site, if any. */
  const pendingRestore = (): Promise<BackupRecord | null> =>
    records().findOne({ where: { kind: 'restore', status: { $in: ACTIVE_STATUSES } }, orderBy: [{ id: 'asc' }] });

  /** Queued and running jobs of a profile, oldest first. */
  const activeOf = (profileId: number): Promise<BackupRecord[]> =>
    records().findMany({ where: { profile: { id: profileId }, status: { $in: ACTIVE_STATUSES } }, orderBy: [{ id: 'asc' }] });

  /**
   * Another request (another instance's fire of the same schedule) already wrote this key: the
   * unique index refused ours and the transaction rolled back, so nothing of this one remains.
   */
  const alreadyTaken = async (error: unknown, idempotencyKey: string | null): Promise<EnqueueResult> => {
    if (!idempotencyKey || !isIdempotencyConflict(error)) throw error;
    const existing: BackupRecord | null = await records().findOne({
      where: { idempotencyKey },
      populate: { profile: { select: ['id', 'documentId', 'name'] } },
    });
    return {
      accepted: false,
      reason: 'duplicate',
      record: existing,
      message: `Already requested under idempotency key ${idempotencyKey}${existing ? ` (record ${existing.id})` : ''}.`,
    };
  };

  /**
   * A restore, under the site lock: one pending at a time on the whole site (a second would undo
   * the first), queued behind whatever runs, and started by claimNext once nothing runs.
   */
  const enqueueRestore = async (
    { profile, trigger, requestedBy, idempotencyKey, restore: what, pinnedTo }: Omit<EnqueueRequest, 'kind' | 'recordRejection'>,
    reject: (rejection: Rejection) => Promise<EnqueueResult>,
  ): Promise<EnqueueResult> => {
    const restore = await pendingRestore();
    // A pending restore refuses this one whatever runs: the count is only read when it can matter.
    const decision = decideRestore({ restore, runningCount: restore ? 0 : await records().count({ where: { status: 'running' } }) });
    if (!decision.accepted) return reject(decision);
    const record = await getService(strapi, 'records').create({
      profile: profile.id,
      kind: 'restore',
      trigger,
      requestedBy,
      idempotencyKey,
      restoreSource: what?.source ?? null,
      restoreOptions: what?.options ?? null,
      // A pinned job proves its owner alive while it waits, as a running one does (failsafe.ts).
      ...(pinnedTo ? { worker: pinnedTo, heartbeatAt: new Date() } : {}),
    });
    return { ...decision, record };
  };

  /** The claim itself: queued → running for `worker`, if nothing moved the record first. */
  const markRunning = async (id: number, worker: string): Promise<number | null> => {
    const now = new Date();
    const { count } = await records().updateMany({
      where: { id, status: 'queued' },
      data: { status: 'running', startedAt: now, heartbeatAt: now, worker },
    });
    return count === 1 ? id : null;
  };

  /** Starts the oldest queued restore when nothing at all runs on the site. */
  const claimRestore = async (restore: BackupRecord, worker: string): Promise<number | null> =>
    strapi.db.transaction(async ({ trx }) => {
      await lockSite(trx);
      const running = await records().count({ where: { status: 'running' } });
      if (running > 0) return null;
      return markRunning(restore.id, worker);
    });

  /** Starts the oldest queued job of one profile when none of it runs and no restore is pending. */
  const claimBackup = async (profileId: number, worker: string): Promise<number | null> =>
    strapi.db.transaction(async ({ trx }) => {
      await lockProfile(trx, profileId);
      // A restore enqueued since the caller looked takes the site lock, so it is visible here.
      if (await pendingRestore()) return null;
      const next = nextToStart(await activeOf(profileId));
      return next ? markRunning(next.id, worker) : null;
    });

  const started = async (id: number | null): Promise<BackupRecord | null> => {
    if (!id) return null;
    const record = await getService(strapi, 'records').findById(id);
    if (record) getService(strapi, 'notifier').emit(record);
    return record;
  };

  const service = {
    /**
     * Accepts or rejects a request at once; never waits for the job. An accepted record is
     * `queued`; a worker claims it (at once when nothing of its profile runs).
     */
    async enqueue({
      profile,
      kind = 'backup',
      trigger,
      requestedBy = null,
      idempotencyKey = null,
      recordRejection = false,
      restore: restoreJob,
      pinnedTo = null,
    }: EnqueueRequest): Promise<EnqueueResult> {
      // A duplicate is the requester's own waiting job: never recorded as a rejection.
      const reject = async (rejection: Rejection): Promise<EnqueueResult> => {
        const { reason } = rejection;
        if (!recordRejection || reason === 'duplicate') return rejection;
        const data = {
          profile: profile.id,
          kind,
          trigger,
          requestedBy,
          idempotencyKey,
          status: 'cancelled' as const,
          statusReason: reason,
          message: rejection.message,
          finishedAt: new Date(),
        };
        return { ...rejection, rejectedRecord: await getService(strapi, 'records').create(data) };
      };
      const result = await strapi.db
        .transaction(async ({ trx }): Promise<EnqueueResult> => {
          if (kind === 'restore') {
            await lockSite(trx);
            return enqueueRestore({ profile, trigger, requestedBy, idempotencyKey, restore: restoreJob, pinnedTo }, reject);
          }
          await lockProfile(trx, profile.id);
          const decision = decideBackup({ profile, kind, requestedBy, active: await activeOf(profile.id), restore: await pendingRestore() });
          if (!decision.accepted) return reject(decision);
          const record = await getService(strapi, 'records').create({ profile: profile.id, kind, trigger, requestedBy, idempotencyKey });
          return { ...decision, record };
        })
        .catch((error: unknown) => alreadyTaken(error, idempotencyKey));
      if (result.accepted) getService(strapi, 'notifier').emit(result.record);
      else if (result.rejectedRecord) getService(strapi, 'notifier').emit(result.rejectedRecord);
      if (result.accepted) getService(strapi, 'worker').kick();
      return result;
    },

    /**
     * A backup someone asked for now (admin panel, API token, CLI): a refusal the profile's jobs
     * already make, then the preflight's 4xx, then the queue's answer under its lock. Schedules and
     * the pre-sync hooks enqueue directly: their failures are the job's to record.
     */
    async requestBackup(profile: Profile, request: { trigger: Trigger; requestedBy?: number | null }): Promise<EnqueueResult> {
      // Of 50 requests at once on a busy profile, 49 are refused: each used to pay for the preflight
      // and a locking transaction, 6 of its 11 queries. A refusal needs neither: each rests on a job
      // active when read, as true as the locked decision's. Left without the pending restore (a second
      // read), this can only refuse less; whatever it accepts is decided again under the lock.
      const refusal = decideBackup({ profile, kind: 'backup', requestedBy: request.requestedBy ?? null, active: await activeOf(profile.id), restore: null });
      if (!refusal.accepted) return refusal;
      await getService(strapi, 'preflight').check(profile);
      return service.enqueue({ profile, kind: 'backup', ...request });
    },

    /**
     * Claims the oldest queued job of a profile with nothing running, marking it running for
     * `worker`. Null when there is nothing to do.
     */
    async claimNext(worker: string): Promise<BackupRecord | null> {
      // A pending restore comes first and alone: while it waits or runs, no backup starts.
      const restore = await pendingRestore();
      // A pinned restore (asked from a CLI) waits for the process that asked for it.
      if (restore) return restore.status === 'queued' && (!restore.worker || restore.worker === worker) ? started(await claimRestore(restore, worker)) : null;
      const candidates: BackupRecord[] = await records().findMany({
        where: { status: 'queued', kind: 'backup' },
        orderBy: [{ id: 'asc' }],
        limit: 20,
        populate: { profile: { select: ['id'] } },
      });
      const seen = new Set<number>();
      for (const candidate of candidates) {
        const profileId = candidate.profile?.id;
        if (!profileId || seen.has(profileId)) continue;
        seen.add(profileId);
        const record = await started(await claimBackup(profileId, worker));
        if (record) return record;
      }
      return null;
    },

    /** Moves a running job to a final status, unless something else (failsafe, cancel) did first. */
    async finish(recordId: number, data: Partial<BackupRecord> & { status: RecordStatus }): Promise<boolean> {
      const { count } = await records().updateMany({
        where: { id: recordId, status: 'running' },
        data: { finishedAt: new Date(), ...data },
      });
      if (count === 1) getService(strapi, 'notifier').emitById(recordId);
      getService(strapi, 'worker').kick();
      return count === 1;
    },

    /**
     * Cancels a job: a queued one at once; a running one is asked to stop (at once in this
     * process, at its next heartbeat elsewhere). Returns the record as it now is.
     */
    async cancel(recordId: number): Promise<BackupRecord | null> {
      const { count } = await records().updateMany({
        where: { id: recordId, status: 'queued' },
        data: { status: 'cancelled', statusReason: 'user', finishedAt: new Date(), message: 'Cancelled before it started.' },
      });
      if (count === 1) getService(strapi, 'notifier').emitById(recordId);
      if (count === 0) {
        const { count: asked } = await records().updateMany({ where: { id: recordId, status: 'running' }, data: { cancelRequested: true } });
        if (asked === 1) getService(strapi, 'runner').abort(recordId, 'user');
      }
      return getService(strapi, 'records').findById(recordId);
    },
  };
  return service;
};

export default createQueueService;
