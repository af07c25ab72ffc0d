/**
 * The plugin's icon in the main menu, which is on every page of the admin panel: besides the icon
 * it lends the watcher (watcher.ts) Strapi's notifications, so a job this admin started announces
 * its end wherever the admin is.
 */
import * as React from 'react';
import { Archive } from '@strapi/icons';
import { useNotification } from '@strapi/strapi/admin';
import { useHref } from 'react-router-dom';
import { PLUGIN_ID } from '../pluginId';
import { useT } from '../utils/translate';
import { addAnnouncer, type EndedJob } from './watcher';

const TOAST_MS = 10_000;
const TYPE = { completed: 'success', failed: 'danger', cancelled: 'info' } as const;

export const JobsWatcherIcon = (props: React.ComponentProps<typeof Archive>) => {
  const t = useT();
  const { toggleNotification } = useNotification();
  // The admin's own base path (`/admin/` unless the site moved it).
  const base = useHref('/').replace(/\/$/, '');
  const announce = React.useCallback(
    (job: EndedJob) => {
      const kind = t(`kind.${job.kind}`, job.kind);
      const status = t(`status.${job.status}`, job.status);
      toggleNotification({
        type: TYPE[job.status as keyof typeof TYPE] ?? 'info',
        title: t('jobs.ended.title', '{kind} {status}', { kind, status }),
        message: job.status === 'failed' && job.message ? job.message : t('jobs.ended.message', 'Record {id} has ended.', { id: String(job.id) }),
        link: { url: `${base}/plugins/${PLUGIN_ID}/records/${job.documentId}`, label: t('jobs.ended.link', 'Open the record') },
        // Long enough to be read on another page; a failure stays until it is closed.
        timeout: TOAST_MS,
        blockTransition: job.status === 'failed',
      });
    },
    [t, toggleNotification, base],
  );
  React.useEffect(() => addAnnouncer(announce), [announce]);
  return <Archive {...props} />;
};
