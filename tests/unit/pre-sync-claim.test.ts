/**
 * The boot hook's choice of profile and its wait for a job running elsewhere. The claim itself
 * (profile lock, one running job) runs on real databases in tests/integration/hooks.test.ts; here
 * its answers are scripted, to pin down the waiting rules.
 */
import type { Core } from '@strapi/strapi';
import type { Change } from '../../server/src/pre-sync/changes';
import { claimWhenFree, pickProfile } from '../../server/src/pre-sync/claim';
import { WaitedTooLong } from '../../server/src/pre-sync/errors';
import type { Profile } from '../../shared/contracts';

const profile = (name: string, isDefault = false) => ({ id: name.length, name, isDefault }) as Profile;
const change: Change = { trigger: 'pre-update', lines: ['Strapi 5.53.0 → 5.54.0'], losses: [] };

const fakeStrapi = (waitMs: number) => {
  const logs: string[] = [];
  const strapi = {
    config: { get: () => ({ hooks: { waitMs }, heartbeatMs: 10000 }) },
    log: { warn: (m: string) => logs.push(m), info: (m: string) => logs.push(m) },
  } as unknown as Core.Strapi;
  return { strapi, logs };
};

/** A claim that answers busy `busyTimes` times, then grants record 42. */
const scriptedClaim = (busyTimes: number) => {
  const calls: unknown[] = [];
  return {
    calls,
    claim: async (_profileId: number, data: unknown) => {
      calls.push(data);
      return calls.length <= busyTimes ? { busy: { id: 7, worker: 'other:1' } } : { id: 42 };
    },
  };
};

describe('pickProfile', () => {
  const profiles = [profile('Nightly'), profile('Full site', true)];

  it('takes hooks.profile by name, trimmed and in any case, else the default', () => {
    expect(pickProfile(profiles, ' nightly ').name).toBe('Nightly');
    expect(pickProfile(profiles, null).name).toBe('Full site');
    expect(pickProfile([profile('B'), profile('A')], null).name).toBe('A');
  });

  it('names what is missing', () => {
    expect(() => pickProfile(profiles, 'Weekly')).toThrow('no backup profile is named “Weekly” (hooks.profile)');
    expect(() => pickProfile([], null)).toThrow('no backup profile exists');
  });
});

describe('claimWhenFree', () => {
  it('claims at once when nothing of the profile runs', async () => {
    const { strapi, logs } = fakeStrapi(5000);
    const raw = scriptedClaim(0);
    await expect(claimWhenFree(strapi, raw, profile('Full site'), change, async () => change)).resolves.toEqual({ id: 42, change });
    expect(raw.calls).toEqual([expect.objectContaining({ trigger: 'pre-update', message: 'Strapi 5.53.0 → 5.54.0' })]);
    expect(logs).toEqual([]);
  });

  it('waits for a running job, says so once, and claims when it has ended', async () => {
    const { strapi, logs } = fakeStrapi(5000);
    const raw = scriptedClaim(1);
    await expect(claimWhenFree(strapi, raw, profile('Full site'), change, async () => change)).resolves.toEqual({ id: 42, change });
    expect(raw.calls).toHaveLength(2);
    expect(logs).toEqual(['[backup] Waiting for record 7 of “Full site” to finish before the pre-update backup.']);
  });

  it('gives up after hooks.waitMs, naming the job and where it runs', async () => {
    const { strapi } = fakeStrapi(50);
    const raw = scriptedClaim(Infinity);
    const claiming = claimWhenFree(strapi, raw, profile('Full site'), change, async () => change);
    await expect(claiming).rejects.toThrow(WaitedTooLong);
    await expect(claiming).rejects.toThrow('a job of “Full site” (record 7, on other:1) was still running after hooks.waitMs (50 ms)');
  });

  it('backs up nothing when, after the wait, another instance has synced the change', async () => {
    const { strapi, logs } = fakeStrapi(5000);
    const raw = scriptedClaim(1);
    await expect(claimWhenFree(strapi, raw, profile('Full site'), change, async () => null)).resolves.toBeNull();
    expect(raw.calls).toHaveLength(1);
    expect(logs.at(-1)).toMatch(/Another instance synced the database while this boot waited/);
  });
});
