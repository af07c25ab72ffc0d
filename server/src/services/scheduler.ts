/**
 * Profile schedules on Strapi's cron: one job per profile with a `schedule`, registered at
 * bootstrap and again whenever a profile is created, changed or deleted (database lifecycles),
 * without a restart.
 *
 * Every instance fires every schedule; a fire enqueues with an idempotency key made of the
 * profile and the fire time, and a UNIQUE index on `backup_records.idempotency_key` (declared in
 * the record's schema, so Strapi's schema sync owns it) lets exactly one insert win per fire
 * across instances. The losers' inserts fail inside the queue's
 * transaction, which rolls back; their fire is a no-op.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Core } from '@strapi/strapi';
import { SCHEDULE_JOB_PREFIX, SCHEDULE_SYNC_JOB, SCHEDULE_SYNC_RULE, UID } from '../../../shared/constants';
import { errorMessage, getConfig, getService } from '../utils';
import { cronProblem } from '../validation/cron';
import type { Profile } from '../../../shared/contracts';

type Scheduled = Pick<Profile, 'documentId' | 'name' | 'schedule' | 'timezone'>;

export const jobName = (documentId: string) => `${SCHEDULE_JOB_PREFIX}${documentId}`;

/** Same fire, same key, on every instance: the profile and the fire time to the second. */
export const idempotencyKeyOf = (documentId: string, fireTime: Date) =>
  `schedule:${documentId}:${new Date(Math.floor(fireTime.getTime() / 1000) * 1000).toISOString()}`;

const signatureOf = (profile: Scheduled): string | null => {
  const rule = profile.schedule?.trim();
  return rule ? `${rule}|${profile.timezone?.trim() ?? ''}` : null;
};

const createSchedulerService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** documentId → signature (rule|tz) registered on the cron, valid or not (so it is logged once). */
  const registered = new Map<string, string>();
  let unsubscribe: (() => void) | null = null;
  /** Runs work outside any transaction a lifecycle hook fires in (set at start, outside all). */
  let detached: <R>(fn: () => R) => R = (fn) => fn();

  const cronJob = (name: string) => strapi.cron.jobs.find((spec) => spec.name === name)?.job;

  /**
   * The occurrence this fire stands for: the latest one of the rule at or before now, from the
   * rule itself rather than the time the timer happened to run (late under load) or Strapi's
   * own fire date (it drifts when a job was paused, e.g. between bootstrap and cron start).
   */
  const fireTimeOf = (name: string, fallback: unknown): Date => {
    const previous = cronJob(name)?.previousRuns(1, new Date(Date.now() + 1000))[0];
    return previous ?? (fallback instanceof Date ? fallback : new Date());
  };

  const unregister = (documentId: string) => {
    if (registered.delete(documentId)) strapi.cron.remove(jobName(documentId));
  };

  const fire = async (documentId: string, signature: string, fallback: unknown) => {
    const name = jobName(documentId);
    const idempotencyKey = idempotencyKeyOf(documentId, fireTimeOf(name, fallback));
    const profile = await getService(strapi, 'profiles').findByDocumentId(documentId);
    // Changed or deleted on another instance since this one registered it: follow the database.
    if (!profile || signatureOf(profile) !== signature) {
      if (profile) service.schedule(profile);
      else unregister(documentId);
      return;
    }
    const result = await getService(strapi, 'queue').enqueue({
      profile,
      kind: 'backup',
      trigger: 'schedule',
      idempotencyKey,
      recordRejection: true,
    });
    if (result.accepted) {
      strapi.log.info(`[backup] schedule of “${profile.name}”: record ${result.record.id} (${idempotencyKey})`);
    } else if (result.rejectedRecord) {
      strapi.log.info(`[backup] schedule of “${profile.name}”: ${result.reason}, recorded as ${result.rejectedRecord.id}. ${result.message}`);
    } else {
      strapi.log.debug(`[backup] schedule of “${profile.name}”: ${idempotencyKey} already taken by another instance`);
    }
  };

  const service = {
    /** Registers, replaces or removes the cron job of one profile; no database access. */
    schedule(profile: Scheduled) {
      const signature = signatureOf(profile);
      if (!signature) {
        unregister(profile.documentId);
        return;
      }
      if (registered.get(profile.documentId) === signature) return;
      unregister(profile.documentId);
      const name = jobName(profile.documentId);
      const tz = profile.timezone?.trim() || undefined;
      // Saving refuses an invalid rule or one that fires too often; one saved before (another
      // version, a lower minimum in the config) stays off, said once per change.
      const problem = cronProblem(profile.schedule!.trim(), tz, getConfig(strapi).schedules.minIntervalSeconds);
      if (problem) {
        registered.set(profile.documentId, signature);
        strapi.log.error(`[backup] profile “${profile.name}”: ${problem}; it will not run until it is fixed.`);
        return;
      }
      strapi.cron.add({
        [name]: {
          task: (_ctx: unknown, fireDate: unknown) =>
            fire(profile.documentId, signature, fireDate).catch((error: unknown) => {
              strapi.log.error(`[backup] schedule of “${profile.name}” (${profile.documentId}): ${errorMessage(error)}`);
            }),
          options: { rule: profile.schedule!.trim(), ...(tz ? { tz } : {}) },
        },
      });
      registered.set(profile.documentId, signature);
    },

    /** Makes the registered jobs match the profiles in the database. */
    async syncAll() {
      const profiles: Scheduled[] = await strapi.db.query(UID.profile).findMany({ select: ['documentId', 'name', 'schedule', 'timezone'] });
      const present = new Set(profiles.map((p) => p.documentId));
      for (const documentId of [...registered.keys()]) if (!present.has(documentId)) unregister(documentId);
      for (const profile of profiles) service.schedule(profile);
    },

    async start() {
      detached = AsyncLocalStorage.snapshot();
      const resync = () =>
        detached(() => {
          service.syncAll().catch((error: unknown) => strapi.log.error(`[backup] schedules: ${errorMessage(error)}`));
        });
      const touchesSchedule = (event: any) => {
        const data = event.params?.data ?? {};
        return 'schedule' in data || 'timezone' in data;
      };
      // Hooks only (re)register; a row without the fields it needs triggers a resync after commit.
      const fromRow = (event: any) => {
        try {
          const row = event.result;
          if (row?.documentId && 'schedule' in row) service.schedule(row);
          else resync();
        } catch (error) {
          strapi.log.error(`[backup] schedules: ${errorMessage(error)}`);
        }
      };
      unsubscribe = strapi.db.lifecycles.subscribe({
        models: [UID.profile],
        afterCreate: fromRow,
        afterUpdate: fromRow,
        afterDelete(event: any) {
          if (event.result?.documentId) unregister(event.result.documentId);
          else resync();
        },
        afterCreateMany: resync,
        afterUpdateMany(event: any) {
          if (touchesSchedule(event)) resync();
        },
        afterDeleteMany: resync,
      }) as unknown as () => void;
      await service.syncAll();
      // Lifecycles fire only on the instance that made a change; the others catch up here.
      strapi.cron.add({ [SCHEDULE_SYNC_JOB]: { task: async () => resync(), options: { rule: SCHEDULE_SYNC_RULE } } });
    },

    stop() {
      unsubscribe?.();
      unsubscribe = null;
      strapi.cron.remove(SCHEDULE_SYNC_JOB);
      for (const documentId of [...registered.keys()]) unregister(documentId);
    },

    /** Names of the cron jobs registered for schedules (for tests and diagnostics). */
    registeredJobs: () => [...registered.keys()].map(jobName).filter((name) => Boolean(cronJob(name))),
  };
  return service;
};

export default createSchedulerService;
