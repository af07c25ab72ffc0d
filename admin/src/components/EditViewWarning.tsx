/**
 * Content Manager edit view (the injection zone under Save/Publish): warns that a save may miss
 * a running backup or be overwritten by a pending restore. Every editor sees it, whatever their
 * backup permissions: it reads /activity (three booleans any signed-in admin may read), repeated
 * slowly while the tab is visible, and shows nothing when all is quiet.
 */
import { EDIT_VIEW_POLL_MS } from '../constants';
import { usePollingInterval } from '../hooks/usePolling';
import { useGetActivityQuery } from '../services/api';
import { useT } from '../utils/translate';
import { Notice } from './Notice';

export const EditViewWarning = () => {
  const t = useT();
  // Fresh on every edit view: an answer cached by another page may predate the backup.
  const { data } = useGetActivityQuery(undefined, { pollingInterval: usePollingInterval(true, EDIT_VIEW_POLL_MS), refetchOnMountOrArgChange: true });
  if (!data) return null;
  // A restore overwrites what is saved; that outweighs a backup missing it.
  const message = data.restorePending
    ? t('cm.restore-pending', 'A restore is pending: changes you save now will be overwritten.')
    : data.backupRunning
      ? t('cm.backup-running', 'A backup is running: changes you save now may not be in it.')
      : null;
  if (!message) return null;
  return (
    <div data-testid="backup-edit-view-warning" style={{ width: '100%' }}>
      <Notice variant={data.restorePending ? 'danger' : 'warning'}>{message}</Notice>
    </div>
  );
};
