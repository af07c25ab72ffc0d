import { Badge, Tooltip } from '@strapi/design-system';
import type { BackupRecord, RecordStatus, StatusReason } from '../types';
import { useT } from '../utils/translate';

/** The one mapping from a record status to its badge colours. */
export const getBadgeProps = (status: RecordStatus) => {
  switch (status) {
    case 'queued':
      return { backgroundColor: 'warning100', textColor: 'warning700' };
    case 'running':
      return { backgroundColor: 'primary100', textColor: 'primary700' };
    case 'completed':
      return { backgroundColor: 'success100', textColor: 'success700' };
    case 'failed':
      return { backgroundColor: 'danger100', textColor: 'danger700' };
    default:
      return { backgroundColor: 'neutral150', textColor: 'neutral700' };
  }
};

/** Why a record ended (statusReason), in English; translated under `reason.<statusReason>`. Every reason the server can record has one. */
const REASONS: Record<StatusReason, string> = {
  user: 'Cancelled by a user',
  timeout: 'Stopped: it ran longer than the profile’s timeout',
  'worker-lost': 'Its worker stopped answering (crash, deploy or kill)',
  'worker-stopped': 'Its worker was shut down before the job finished',
  busy: 'Refused: another job of this profile was running',
  'queue-full': 'Refused: the profile’s queue was full',
  error: 'An error stopped it',
  refused: 'Refused: the archive cannot be restored here; nothing was changed',
  'restore-pending': 'Refused: a restore of the site was already pending',
};

/** Why a failed or cancelled record ended, in words, or null. */
export const useReasonLabel = () => {
  const t = useT();
  return (record: Pick<BackupRecord, 'status' | 'statusReason'>): string | null => {
    if (record.status !== 'failed' && record.status !== 'cancelled') return null;
    const reason = record.statusReason;
    if (!reason) return null;
    return reason in REASONS ? t(`reason.${reason}`, REASONS[reason as StatusReason]) : reason;
  };
};

interface StatusBadgeProps {
  record: Pick<BackupRecord, 'status' | 'statusReason' | 'progress'>;
}

export const StatusBadge = ({ record }: StatusBadgeProps) => {
  const t = useT();
  const reasonLabel = useReasonLabel();
  const label = t(`status.${record.status}`, record.status);
  const percent = record.progress?.percent;
  const text = record.status === 'running' && typeof percent === 'number' ? `${label} ${Math.round(percent)}%` : label;
  const reason = reasonLabel(record);
  // Tabular digits keep a running badge the same width as its percent changes.
  const badge = (
    <Badge {...getBadgeProps(record.status)} style={{ fontVariantNumeric: 'tabular-nums' }} tabIndex={reason ? 0 : undefined}>
      {text}
    </Badge>
  );
  return reason ? <Tooltip label={reason}>{badge}</Tooltip> : badge;
};
