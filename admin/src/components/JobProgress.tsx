import { Flex, ProgressBar, Typography } from '@strapi/design-system';
import type { BackupRecord } from '../types';
import { useT } from '../utils/translate';

/**
 * A running job's progress bar with its step and percent. The text lines keep their height when
 * empty, so the layout does not move as the job reports.
 */
export const JobProgress = ({ record }: { record: Pick<BackupRecord, 'progress' | 'status'> }) => {
  const t = useT();
  const percent = Math.round(record.progress?.percent ?? 0);
  const step = record.progress?.step || t('progress.starting', 'Starting…');
  return (
    <Flex direction="column" alignItems="stretch" gap={2} width="100%">
      <Flex justifyContent="space-between" gap={2}>
        <Typography variant="omega" fontWeight="semiBold" ellipsis>
          {step}
        </Typography>
        <Typography variant="omega" textColor="neutral600" style={{ fontVariantNumeric: 'tabular-nums' }}>
          {percent}%
        </Typography>
      </Flex>
      <ProgressBar value={percent} aria-label={t('progress.label', 'Backup progress')} />
      <Typography variant="pi" textColor="neutral600" ellipsis style={{ minHeight: '1.6rem' }}>
        {record.progress?.detail ?? ''}
      </Typography>
    </Flex>
  );
};
