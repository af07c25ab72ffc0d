/**
 * A restore's phases in a row — Verify → Safety backup → Database → Uploads → Done — each marked
 * done, current, failed or waiting, so the admin sees where the restore is and, when it failed,
 * where it stopped (everything before the database phase changes nothing).
 */
import { Box, Flex, Typography } from '@strapi/design-system';
import { CheckCircle, ChevronRight, CrossCircle, Loader } from '@strapi/icons';
import type { BackupRecord } from '../../types';
import { phaseStates, restorePhases, type PhaseState } from '../../utils/restore';
import { useT } from '../../utils/translate';
import { useStepLabel } from '../JobProgress';

const LOOK: Record<PhaseState, { color: string; weight: 'regular' | 'bold' }> = {
  done: { color: 'success600', weight: 'regular' },
  current: { color: 'primary600', weight: 'bold' },
  failed: { color: 'danger600', weight: 'bold' },
  pending: { color: 'neutral500', weight: 'regular' },
};

const PhaseIcon = ({ state }: { state: PhaseState }) => {
  const props = { width: '1.6rem', height: '1.6rem', fill: LOOK[state].color, 'aria-hidden': true };
  if (state === 'done') return <CheckCircle {...props} />;
  if (state === 'failed') return <CrossCircle {...props} />;
  if (state === 'current') return <Loader {...props} />;
  return <Box width="1.6rem" height="1.6rem" borderColor="neutral300" borderStyle="solid" borderWidth="2px" style={{ borderRadius: '50%' }} aria-hidden />;
};

export const RestorePhases = ({ record }: { record: Pick<BackupRecord, 'status' | 'progress' | 'restoreOptions'> }) => {
  const t = useT();
  const stepLabel = useStepLabel();
  const phases = restorePhases(record.restoreOptions);
  const states = phaseStates(phases, record);
  return (
    <Flex tag="ol" gap={2} wrap="wrap" aria-label={t('restore.phases', 'Phases of the restore')} data-testid="restore-phases">
      {phases.map((phase, i) => (
        <Flex key={phase} tag="li" gap={2} data-phase={phase} data-state={states[i]} aria-current={states[i] === 'current' ? 'step' : undefined}>
          {i > 0 && <ChevronRight width="1.2rem" height="1.2rem" fill="neutral400" aria-hidden />}
          <PhaseIcon state={states[i]} />
          <Typography textColor={LOOK[states[i]].color} fontWeight={LOOK[states[i]].weight}>
            {stepLabel(phase)}
          </Typography>
        </Flex>
      ))}
    </Flex>
  );
};
