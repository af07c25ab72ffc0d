import * as React from 'react';
import { ACTIVE_STATUSES, POLL_MS } from '../constants';
import { useGetRecordQuery } from '../services/api';
import type { BackupRecord } from '../types';
import { usePollingInterval } from './usePolling';

export const isActive = (record: Pick<BackupRecord, 'status'>) => (ACTIVE_STATUSES as readonly string[]).includes(record.status);

/**
 * A record that refreshes itself while it is queued or running and the tab is visible, and stops
 * once it has ended. `initial` (e.g. the record a POST answered) shows until the first read.
 */
export const useLiveRecord = (documentId: string, initial?: BackupRecord) => {
  const [active, setActive] = React.useState(initial ? isActive(initial) : true);
  const query = useGetRecordQuery(documentId, { pollingInterval: usePollingInterval(active, POLL_MS) });
  const record = query.data ?? initial;
  const nowActive = record ? isActive(record) : true;
  React.useEffect(() => setActive(nowActive), [nowActive]);
  return { ...query, record };
};
