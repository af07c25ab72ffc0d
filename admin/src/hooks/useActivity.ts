import { ACTIVITY_POLL_MS } from '../constants';
import { useGetActivityQuery } from '../services/api';
import { usePollingInterval } from './usePolling';

/**
 * What runs on the site and whether it must restart (GET /backup/activity), for the Content
 * Manager warning and the "restart required" banner alike: one cache entry, so whatever shows it on
 * a page shares one slow poll (paused in a hidden tab), refreshed on each mount — an answer cached
 * by another page may predate the job.
 */
export const useActivity = () =>
  useGetActivityQuery(undefined, { pollingInterval: usePollingInterval(true, ACTIVITY_POLL_MS), refetchOnMountOrArgChange: true });
