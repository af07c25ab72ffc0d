/**
 * The worker: claims queued jobs and runs them. An explicit state machine
 * (stopped → running → stopping → stopped) that sleeps abortably between polls, so a finished
 * job, a new request or a shutdown wakes it at once.
 */
import os from 'node:os';
import type { Core } from '@strapi/strapi';
import { errorMessage, getConfig, getService } from '../utils';

/** Identifies this process on records it runs, so operators can tell instances apart. */
export const WORKER_ID = `${os.hostname()}:${process.pid}`;

type State = 'stopped' | 'running' | 'stopping';

const createWorkerService = ({ strapi }: { strapi: Core.Strapi }) => {
  let state: State = 'stopped';
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let kicked = false;
  const jobs = new Map<number, Promise<void>>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (kicked) {
        kicked = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const turn = async () => {
    const { concurrency } = getConfig(strapi).worker;
    // One query when idle: nothing queued anywhere means nothing to claim.
    const { queued } = await getService(strapi, 'restoreGate').poll();
    if (!queued) return;
    while (state === 'running' && jobs.size < concurrency) {
      const record = await getService(strapi, 'queue').claimNext(WORKER_ID);
      if (!record) return;
      const job = getService(strapi, 'runner')
        .run(record)
        .then(
          () => undefined,
          (error: unknown) => {
            strapi.log.error(`[backup] worker ${WORKER_ID}, record ${record.id}: ${errorMessage(error)}`);
          },
        )
        .finally(() => {
          jobs.delete(record.id);
          service.kick();
        });
      jobs.set(record.id, job);
    }
  };

  const service = {
    get state(): State {
      return state;
    },

    start() {
      if (state !== 'stopped') return;
      state = 'running';
      // A process that runs jobs stays up: it sends the events the boot's hooks left (notifier.ts).
      void getService(strapi, 'notifier').announcePending();
      loop = (async () => {
        while (state === 'running') {
          try {
            await turn();
          } catch (error) {
            // One bad turn (database briefly away) must not stop the worker; the next poll retries.
            strapi.log.error(`[backup] worker ${WORKER_ID}: ${errorMessage(error)}`);
          }
          if (state === 'running') await sleep(getConfig(strapi).worker.pollMs);
        }
      })();
    },

    /** Looks for work now instead of at the next poll (a job ended, one was queued). */
    kick() {
      if (wake) wake();
      else kicked = true;
    },

    /**
     * Stops claiming; lets running jobs finish for up to `graceMs`, then stops them
     * (`failed` / `worker-stopped`) and waits for them to clean up.
     */
    async stop(graceMs = getConfig(strapi).worker.shutdownGraceMs) {
      if (state === 'stopped') return;
      state = 'stopping';
      service.kick();
      await loop;
      if (jobs.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
        await Promise.race([Promise.allSettled(jobs.values()), grace]);
        clearTimeout(timer);
        for (const id of jobs.keys()) getService(strapi, 'runner').abort(id, 'worker-stopped');
        await Promise.allSettled(jobs.values());
      }
      state = 'stopped';
    },
  };
  return service;
};

export default createWorkerService;
