/**
 * The second step of "Back up now" and of "Restore": what became of the request, kept current by
 * polling the record while it is queued or running. Closing the modal stops only the polling,
 * never the job. A restore also shows its phases, says that the site answers "unavailable" while
 * it runs, and what to do once it has completed (restart, log in again).
 */
import * as React from 'react';
import { Flex, Link, Typography } from '@strapi/design-system';
import { NavLink } from 'react-router-dom';
import { useActivity } from '../hooks/useActivity';
import { isActive, useLiveRecord } from '../hooks/useLiveRecord';
import { PLUGIN_ID } from '../pluginId';
import type { BackupRecord, RunResult } from '../types';
import { formatBytes } from '../utils/format';
import { isRefused } from '../utils/restore';
import { useT } from '../utils/translate';
import { JobProgress } from './JobProgress';
import { Notice } from './Notice';
import { RestorePhases } from './restore/RestorePhases';
import { useReasonLabel } from './StatusBadge';

/** A server message as it was written: a refusal lists its reasons one per line. */
const Lines = ({ children }: { children: React.ReactNode }) => (
  <Typography textColor="neutral800" style={{ whiteSpace: 'pre-line', overflowWrap: 'anywhere' }}>
    {children}
  </Typography>
);

const RestoreCompleted = ({ record }: { record: BackupRecord }) => {
  const t = useT();
  // Read again now: the "restart required" banner of the page behind shares this answer.
  useActivity();
  return (
    <>
      <Notice variant="success" title={t('restore.completed.title', 'Site restored')}>
        <Lines>{record.message}</Lines>
      </Notice>
      <Notice variant="warning" title={t('restore.completed.next', 'Restart Strapi, and log in again if asked')}>
        {t(
          'restore.completed.next.body',
          'Restart Strapi on every instance: until then it keeps settings it read before the restore. Admin sessions come from the archive: you may have to log in again.',
        )}
      </Notice>
    </>
  );
};

const Ended = ({ record }: { record: BackupRecord }) => {
  const t = useT();
  const reasonLabel = useReasonLabel();
  const refused = isRefused(record);
  const title =
    record.kind !== 'restore'
      ? t(`status.${record.status}`, record.status)
      : refused
        ? t('restore.refused.title', 'Restore refused: nothing was changed')
        : record.status === 'cancelled'
          ? t('restore.cancelled.title', 'Restore cancelled')
          : t('restore.failed.title', 'Restore failed');
  // A refusal's message says it all; a reason label would only repeat it.
  const text = refused ? record.message : [reasonLabel(record), record.message].filter(Boolean).join(' — ');
  return (
    <Notice variant="danger" title={title}>
      <Lines>{text}</Lines>
    </Notice>
  );
};

/** `onEnded`: called once the job is seen to have ended (completed, failed or cancelled). */
export const RunOutcome = ({ result, onEnded }: { result: RunResult; onEnded?: (record: BackupRecord) => void }) => {
  const t = useT();
  const documentId = result.data.documentId;
  const record = useLiveRecord(documentId, result.data).record ?? result.data;
  const restore = record.kind === 'restore';
  const ended = !isActive(record);
  React.useEffect(() => {
    if (ended) onEnded?.(record);
    // Once per ending, with the record as it ended: not again for each later poll or a new callback.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ended]);
  const waiting = record.status === 'queued' && result.meta.position > 0;

  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      {waiting && (
        // The server's message says it all, position included.
        <Notice variant="warning" title={result.message} />
      )}
      {restore && <RestorePhases record={record} />}
      {(record.status === 'running' || (record.status === 'queued' && !waiting)) && <JobProgress record={record} />}
      {restore && record.status === 'running' && (
        <Notice variant="warning" title={t('restoring.title', 'The site is being restored')}>
          {t(
            'restore.running.body',
            'Until it ends, the site answers “unavailable” to visitors and editors, and other pages of this admin cannot load. This window keeps following the restore.',
          )}
        </Notice>
      )}
      {record.status === 'completed' &&
        (restore ? (
          <RestoreCompleted record={record} />
        ) : (
          <Notice variant="success" title={t('run.completed.title', 'Backup completed')}>
            {t('run.completed.body', '{file} ({size})', { file: record.archiveFile ?? '', size: formatBytes(record.archiveSize) })}
          </Notice>
        ))}
      {(record.status === 'failed' || record.status === 'cancelled') && <Ended record={record} />}
      <Flex justifyContent="space-between" gap={2}>
        <Typography variant="pi" textColor="neutral600">
          {isActive(record)
            ? restore
              ? t('restore.close-hint', 'Closing this window does not stop the restore.')
              : t('run.close-hint', 'Closing this window does not stop the backup.')
            : ''}
        </Typography>
        <Link tag={NavLink} to={`/plugins/${PLUGIN_ID}/records/${documentId}`}>
          {t('run.details', 'Details')}
        </Link>
      </Flex>
    </Flex>
  );
};
