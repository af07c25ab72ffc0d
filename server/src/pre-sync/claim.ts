/**
 * Which profile the boot hook backs up with, and the claim of that profile under the queue's rule
 * of one running job per profile: wait (bounded) for a job running elsewhere, never run beside it.
 */
import type { Core } from '@strapi/strapi';
import { HOOK_WAIT_POLL_MS } from '../../../shared/constants';
import type { Profile } from '../../../shared/contracts';
import { WORKER_ID } from '../services/worker';
import { getConfig } from '../utils';
import type { Change } from './changes';
import { WaitedTooLong } from './errors';
import type { RawRecords } from './raw-records';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `hooks.profile` by name (as people read names: trimmed, any case), else the default profile. */
export const pickProfile = (profiles: Profile[], name: string | null): Profile => {
  const wanted = name?.trim().toLowerCase();
  const profile = wanted
    ? profiles.find((p) => p.name.trim().toLowerCase() === wanted)
    : (profiles.find((p) => p.isDefault) ?? [...profiles].sort((a, b) => a.name.localeCompare(b.name))[0]);
  if (!profile) {
    throw new Error(wanted ? `no backup profile is named “${name}” (hooks.profile)` : 'no backup profile exists to take it with');
  }
  return profile;
};

/** Looks again at what this boot changes; null once another instance's boot has synced it. */
export type Recheck = () => Promise<Change | null>;

/**
 * Claims the profile for the hook's record, waiting up to `waitMs` for a job running elsewhere.
 * After a wait the change is looked at again: the job waited for may have been another instance's
 * pre-sync backup, whose boot has since synced the database — then there is nothing left to do.
 */
export const claimWhenFree = async (
  strapi: Core.Strapi,
  raw: Pick<RawRecords, 'claim'>,
  profile: Profile,
  first: Change,
  recheck: Recheck,
): Promise<{ id: number; change: Change } | null> => {
  const { hooks, heartbeatMs } = getConfig(strapi);
  const deadline = Date.now() + hooks.waitMs;
  let change: Change | null = first;
  for (let waited = false; change; waited = true) {
    if (waited) change = await recheck();
    if (!change) break;
    const claim = await raw.claim(profile.id, { trigger: change.trigger, worker: WORKER_ID, message: change.lines.join('; ') }, heartbeatMs);
    if ('id' in claim) return { id: claim.id, change };
    const { id, worker } = claim.busy;
    if (Date.now() >= deadline) {
      throw new WaitedTooLong(
        `a job of “${profile.name}” (record ${id}${worker ? `, on ${worker}` : ''}) was still running after hooks.waitMs (${hooks.waitMs} ms)`,
      );
    }
    // A warning: the boot is held up, and an operator watching it should see why.
    if (!waited) strapi.log.warn(`[backup] Waiting for record ${id} of “${profile.name}” to finish before the ${change.trigger} backup.`);
    await sleep(Math.min(HOOK_WAIT_POLL_MS, deadline - Date.now()));
  }
  strapi.log.info('[backup] Another instance synced the database while this boot waited; no backup needed.');
  return null;
};
