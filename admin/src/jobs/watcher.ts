/**
 * The jobs this admin started in this browser tab, followed until they end, wherever the admin
 * is in the panel: when one ends, a toast (Strapi's notifications) says so, with a link to its
 * record. Kept outside React, in sessionStorage, because the component that shows the toasts (the
 * plugin's menu icon, JobsWatcherIcon) is re-created whenever the menu renders, and because a
 * reload or a new sign-in (after a restore) must not forget a job still running.
 */
import { getFetchClient } from '@strapi/strapi/admin';
import { isFinalStatus } from '../constants';
import { PLUGIN_ID } from '../pluginId';
import type { BackupRecord } from '../types';

const STORAGE_KEY = `${PLUGIN_ID}:watched-jobs`;
const WATCH_INTERVAL_MS = 3000;

export type EndedJob = Pick<BackupRecord, 'documentId' | 'id' | 'kind' | 'status' | 'message'>;
type Announce = (job: EndedJob) => void;

/** The mounted icons' announcers (the menu may draw the icon twice); the newest shows the toast. */
const announcers: Announce[] = [];
const announce = (job: EndedJob) => announcers[announcers.length - 1]?.(job);
let timer: ReturnType<typeof setInterval> | null = null;
let ticking = false;

const read = (): string[] => {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
};
const write = (ids: string[]) => sessionStorage.setItem(STORAGE_KEY, JSON.stringify(ids));

const tick = async () => {
  if (ticking || announcers.length === 0) return;
  ticking = true;
  try {
    const { get } = getFetchClient();
    for (const documentId of read()) {
      let record: BackupRecord | null = null;
      try {
        record = (await get<{ data: BackupRecord }>(`/${PLUGIN_ID}/records/${documentId}`)).data.data;
      } catch (error) {
        // Gone (deleted, or this admin may no longer read it): stop following it. Anything else
        // (the site answering 503 during a restore, the network): try again at the next tick.
        const status = (error as { status?: number; response?: { status?: number } }).response?.status ?? (error as { status?: number }).status;
        if (status === 404 || status === 403) write(read().filter((id) => id !== documentId));
        continue;
      }
      if (!isFinalStatus(record.status)) continue;
      write(read().filter((id) => id !== documentId));
      announce(record);
    }
  } finally {
    ticking = false;
    if (read().length === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  }
};

const ensureTimer = () => {
  if (!timer && announcers.length > 0 && read().length > 0) timer = setInterval(() => void tick(), WATCH_INTERVAL_MS);
};

/** Follows a job this admin just started (a backup, a restore). */
export const watchJob = (documentId: string) => {
  if (!read().includes(documentId)) write([...read(), documentId]);
  ensureTimer();
};

/** A mounted JobsWatcherIcon shows the toasts until the function returned is called. */
export const addAnnouncer = (fn: Announce): (() => void) => {
  announcers.push(fn);
  ensureTimer();
  return () => {
    const at = announcers.lastIndexOf(fn);
    if (at !== -1) announcers.splice(at, 1);
  };
};
