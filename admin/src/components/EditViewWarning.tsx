/**
 * Content Manager edit view (the injection zone under Save/Publish): warns that a save may miss
 * a running backup or be overwritten by a pending restore. One summary request, repeated slowly
 * while the tab is visible; it shows nothing when all is quiet or the user may not read backups.
 */
import { useRBAC } from '@strapi/strapi/admin';
import { EDIT_VIEW_POLL_MS, PERMISSIONS } from '../constants';
import { usePollingInterval } from '../hooks/usePolling';
import { useGetSummaryQuery } from '../services/api';
import { useT } from '../utils/translate';
import { Notice } from './Notice';

const Warning = () => {
  const t = useT();
  // Fresh on every edit view: a summary cached by another page may predate the backup.
  const { data } = useGetSummaryQuery(undefined, { pollingInterval: usePollingInterval(true, EDIT_VIEW_POLL_MS), refetchOnMountOrArgChange: true });
  if (!data) return null;
  // A restore overwrites what is saved; that outweighs a backup missing it.
  const message = data.restorePending
    ? t('cm.restore-pending', 'A restore is pending: changes you save now will be overwritten.')
    : data.running.some((record) => record.kind === 'backup')
      ? t('cm.backup-running', 'A backup is running: changes you save now may not be in it.')
      : null;
  if (!message) return null;
  return (
    <div data-testid="backup-edit-view-warning" style={{ width: '100%' }}>
      <Notice variant={data.restorePending ? 'danger' : 'warning'}>{message}</Notice>
    </div>
  );
};

export const EditViewWarning = () => {
  const { allowedActions, isLoading } = useRBAC(PERMISSIONS.read);
  return !isLoading && allowedActions.canRead ? <Warning /> : null;
};
