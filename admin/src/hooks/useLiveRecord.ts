import * as React from 'react';
import { POLL_MS, isActiveStatus } from '../constants';
import { useGetRecordQuery } from '../services/api';
import type { BackupRecord } from '../types';
import { usePollingInterval } from './usePolling';

export const isActive = (record: Pick<BackupRecord, 'status'>) => isActiveStatus(record.status);

/**
 * A record that refreshes itself while it is queued or running and the tab is visible, and stops
 * once it has ended. `initial` (e.g. the record a POST answered) shows until the first read.
 *
 * Each answer is laid over the last: while a restore loads a SQLite database, the instance running
 * it answers its record from memory with only id, kind, status and progress, and the rest of what
 * was read before (profile, trigger, dates, options) must not vanish meanwhile.
 */
export const useLiveRecord = (documentId: string, initial?: BackupRecord) => {
  const [active, setActive] = React.useState(initial ? isActive(initial) : true);
  const query = useGetRecordQuery(documentId, { pollingInterval: usePollingInterval(active, POLL_MS) });
  const known = React.useRef<BackupRecord | undefined>(initial);
  const record = React.useMemo(() => (query.data ? ({ ...known.current, ...query.data } as BackupRecord) : known.current), [query.data]);
  known.current = record;
  const nowActive = record ? isActive(record) : true;
  React.useEffect(() => setActive(nowActive), [nowActive]);
  return { ...query, record };
};
