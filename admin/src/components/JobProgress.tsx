import { Box, Flex, Typography } from '@strapi/design-system';
import type { BackupRecord } from '../types';
import { STEP_LABELS, isKnownStep } from '../utils/restore';
import { useT } from '../utils/translate';

/** A progress step in words ("safety-backup" → "Safety backup"); a step this admin does not know shows as it is. */
export const useStepLabel = () => {
  const t = useT();
  return (step: string) => (isKnownStep(step) ? t(`step.${step}`, STEP_LABELS[step]) : step);
};

/**
 * A running job's progress. The design system's ProgressBar is drawn for dark overlays at a fixed
 * width; this one spans its container in the admin's primary colour. The text lines keep their
 * height when empty, so nothing moves as the job reports.
 */
export const JobProgress = ({ record, compact = false }: { record: Pick<BackupRecord, 'progress' | 'status' | 'kind'>; compact?: boolean }) => {
  const t = useT();
  const stepLabel = useStepLabel();
  const percent = Math.max(0, Math.min(100, Math.round(record.progress?.percent ?? 0)));
  const step = record.progress?.step ? stepLabel(record.progress.step) : t('progress.starting', 'Starting…');
  return (
    <Flex direction="column" alignItems="stretch" gap={compact ? 1 : 2} width="100%">
      <Flex justifyContent="space-between" gap={2}>
        <Typography variant={compact ? 'pi' : 'omega'} fontWeight="semiBold" ellipsis>
          {step}
        </Typography>
        <Typography variant={compact ? 'pi' : 'omega'} textColor="neutral600" style={{ fontVariantNumeric: 'tabular-nums' }}>
          {percent}%
        </Typography>
      </Flex>
      <Box
        background="neutral150"
        hasRadius
        height="0.8rem"
        overflow="hidden"
        role="progressbar"
        aria-label={record.kind === 'restore' ? t('progress.label.restore', 'Restore progress') : t('progress.label', 'Backup progress')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <Box background="primary600" height="100%" style={{ width: `${percent}%`, transition: 'width 0.4s ease-out' }} />
      </Box>
      {!compact && (
        <Typography variant="pi" textColor="neutral600" ellipsis style={{ minHeight: '1.6rem' }}>
          {record.progress?.detail ?? ''}
        </Typography>
      )}
    </Flex>
  );
};
