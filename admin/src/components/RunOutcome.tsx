/**
 * The second step of "Back up now": what became of the request, kept current by polling the
 * record while it is queued or running. Closing the modal stops only the polling, never the job.
 */
import { Flex, Link, Typography } from '@strapi/design-system';
import { NavLink } from 'react-router-dom';
import { useLiveRecord } from '../hooks/useLiveRecord';
import { PLUGIN_ID } from '../pluginId';
import type { RunResult } from '../types';
import { formatBytes } from '../utils/format';
import { useT } from '../utils/translate';
import { JobProgress } from './JobProgress';
import { Notice } from './Notice';
import { useReasonLabel } from './StatusBadge';

export const RunOutcome = ({ result }: { result: RunResult }) => {
  const t = useT();
  const reasonLabel = useReasonLabel();
  const documentId = result.data.documentId;
  const record = useLiveRecord(documentId, result.data).record ?? result.data;
  const waiting = record.status === 'queued' && result.meta.position > 0;

  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      {waiting && (
        // The server's message says it all, position included.
        <Notice variant="warning" title={result.message} />
      )}
      {(record.status === 'running' || (record.status === 'queued' && !waiting)) && <JobProgress record={record} />}
      {record.status === 'completed' && (
        <Notice variant="success" title={t('run.completed.title', 'Backup completed')}>
          {t('run.completed.body', '{file} ({size})', { file: record.archiveFile ?? '', size: formatBytes(record.archiveSize) })}
        </Notice>
      )}
      {(record.status === 'failed' || record.status === 'cancelled') && (
        <Notice variant="danger" title={t(`status.${record.status}`, record.status)}>
          {[reasonLabel(record), record.message].filter(Boolean).join(' — ')}
        </Notice>
      )}
      <Flex justifyContent="space-between" gap={2}>
        <Typography variant="pi" textColor="neutral600">
          {t('run.close-hint', 'Closing this window does not stop the backup.')}
        </Typography>
        <Link tag={NavLink} to={`/plugins/${PLUGIN_ID}/records/${documentId}`}>
          {t('run.details', 'Details')}
        </Link>
      </Flex>
    </Flex>
  );
};
