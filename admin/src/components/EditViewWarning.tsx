/**
 * Content Manager edit view (the injection zone under Save/Publish): warns that a save may miss
 * a running backup or be overwritten by a pending restore. Every editor sees it, whatever their
 * backup permissions: it reads /activity (three booleans any signed-in admin may read), repeated
 * slowly while the tab is visible, and shows nothing when all is quiet.
 */
import { useActivity } from '../hooks/useActivity';
import { useT } from '../utils/translate';
import { Notice } from './Notice';

export const EditViewWarning = () => {
  const t = useT();
  const { data } = useActivity();
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
