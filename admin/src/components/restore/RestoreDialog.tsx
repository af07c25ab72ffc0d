/**
 * "Restore" as one modal for the plugin's pages: confirm, then follow the restore as "Back up now"
 * follows a backup (RunOutcome). It lives above the pages, not in a table row: a restore adds two
 * records to the list (itself and its safety backup), which may push the row it was opened from
 * off the page while the modal follows it.
 *
 * A completed restore may sign the admin out (sessions come from the archive), and Strapi then
 * sends them to its login page. The restore being followed is kept for the tab (sessionStorage),
 * so that after logging in again its outcome shows at once.
 */
import * as React from 'react';
import { Button, Flex, Loader, Modal } from '@strapi/design-system';
import { useLocation } from 'react-router-dom';
import { PLUGIN_ID } from '../../pluginId';
import { useGetRecordQuery } from '../../services/api';
import type { BackupRecord, RunResult } from '../../types';
import { useT } from '../../utils/translate';
import { RunOutcome } from '../RunOutcome';
import { RestoreConfirm } from './RestoreConfirm';

const FOLLOWING = `${PLUGIN_ID}:following-restore`;

const following = {
  get: () => window.sessionStorage.getItem(FOLLOWING),
  set: (documentId: string) => window.sessionStorage.setItem(FOLLOWING, documentId),
  clear: () => window.sessionStorage.removeItem(FOLLOWING),
};

type Target = { backup: BackupRecord } | { restore: string };

const RestoreDialogContext = React.createContext<((backup: BackupRecord) => void) | null>(null);

/** Opens the restore modal for a completed backup; null outside the plugin's pages. */
export const useRestoreDialog = () => React.useContext(RestoreDialogContext);

/** A restore asked for in an earlier page load of this tab, read before it is followed again. */
const FollowAgain = ({ documentId, onEnded, onClose }: { documentId: string; onEnded: () => void; onClose: () => void }) => {
  const { data, isError } = useGetRecordQuery(documentId);
  React.useEffect(() => {
    // Deleted since, or not readable any more: nothing to show.
    if (isError) onClose();
  }, [isError, onClose]);
  if (!data) {
    return (
      <Flex justifyContent="center" padding={6}>
        <Loader small />
      </Flex>
    );
  }
  return <RunOutcome result={{ data, meta: { position: 0 }, message: '' }} onEnded={onEnded} />;
};

const RestoreModalContent = ({ target, onClose }: { target: Target; onClose: () => void }) => {
  const t = useT();
  const [result, setResult] = React.useState<RunResult | null>(null);
  const backup = 'backup' in target ? target.backup : null;
  const started = (answer: RunResult) => {
    following.set(answer.data.documentId);
    setResult(answer);
  };
  // Seen to the end here: there is nothing left to show after a reload.
  const ended = () => following.clear();
  const title = backup
    ? result
      ? t('restore.title.following', 'Restore from “{file}”', { file: backup.archiveFile ?? '' })
      : t('restore.title', 'Restore this backup')
    : t('restore.title.again', 'Restore of the site');

  return (
    <Modal.Content>
      <Modal.Header>
        <Modal.Title>{title}</Modal.Title>
      </Modal.Header>
      {backup && !result ? (
        <RestoreConfirm record={backup} onStarted={started} onClose={onClose} />
      ) : (
        <>
          <Modal.Body>
            {result ? (
              <RunOutcome result={result} onEnded={ended} />
            ) : (
              <FollowAgain documentId={(target as { restore: string }).restore} onEnded={ended} onClose={onClose} />
            )}
          </Modal.Body>
          <Modal.Footer>
            <Button variant="tertiary" onClick={onClose}>
              {t('actions.close', 'Close')}
            </Button>
          </Modal.Footer>
        </>
      )}
    </Modal.Content>
  );
};

export const RestoreDialogProvider = ({ children }: { children: React.ReactNode }) => {
  const [target, setTarget] = React.useState<Target | null>(() => {
    const documentId = following.get();
    return documentId ? { restore: documentId } : null;
  });
  const close = React.useCallback(() => {
    following.clear();
    setTarget(null);
  }, []);
  // A link out of the modal (Details, the pending restore) leaves it behind.
  const { pathname } = useLocation();
  const shownAt = React.useRef(pathname);
  React.useEffect(() => {
    if (pathname === shownAt.current) return;
    shownAt.current = pathname;
    close();
  }, [pathname, close]);
  const open = React.useCallback((backup: BackupRecord) => setTarget({ backup }), []);

  return (
    <RestoreDialogContext.Provider value={open}>
      {children}
      <Modal.Root open={Boolean(target)} onOpenChange={(isOpen: boolean) => !isOpen && close()}>
        {target && <RestoreModalContent target={target} onClose={close} />}
      </Modal.Root>
    </RestoreDialogContext.Provider>
  );
};
