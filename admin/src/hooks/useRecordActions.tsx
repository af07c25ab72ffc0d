/**
 * What a user may do with one record, decided once for the table row and the detail page:
 * each action appears only when the record's state allows it and the user holds its RBAC
 * action (the server checks the same action again on every request).
 */
import { useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { ClockCounterClockwise, Cross, Download, Pin, SealCheck, Trash } from '@strapi/icons';
import { useRestoreDialog } from '../components/restore/RestoreDialog';
import { PERMISSIONS } from '../constants';
import { PLUGIN_ID } from '../pluginId';
import { useCancelRecordMutation, useDeleteRecordMutation, useKeepRecordMutation, useVerifyRecordMutation } from '../services/api';
import type { ApiError, BackupRecord } from '../types';
import { useT } from '../utils/translate';
import { isActive } from './useLiveRecord';

export interface RecordAction {
  id: 'view' | 'cancel' | 'download' | 'verify' | 'restore' | 'keep' | 'delete';
  label: string;
  icon: React.ReactNode;
  onClick?: () => Promise<void> | void;
  disabled?: boolean;
  /** Asked in a confirmation dialog first. */
  confirm?: string;
  danger?: boolean;
  /** A toggle that is on (a kept backup): drawn pressed. */
  pressed?: boolean;
}

/** Whether the user may cancel, download, delete, restore, run: one permission check per page. */
export const useBackupPermissions = () => {
  const { allowedActions, isLoading } = useRBAC(PERMISSIONS.recordActions);
  const { canRun = false, canCancel = false, canRestore = false, canDownload = false, canDelete = false } = allowedActions;
  return { canRun, canCancel, canRestore, canDownload, canDelete, isLoading };
};

/**
 * Starts a browser download of a signed, short-lived link: the browser streams the archive to disk
 * instead of holding it in memory (an archive can weigh gigabytes).
 */
const startDownload = (url: string, fileName: string) => {
  const backend = (window as any).strapi?.backendURL ?? '';
  const anchor = Object.assign(document.createElement('a'), { href: `${backend}${url}`, download: fileName });
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
};

export const useRecordActions = (record: BackupRecord, allowed: ReturnType<typeof useBackupPermissions>): RecordAction[] => {
  const t = useT();
  const { toggleNotification } = useNotification();
  const { post } = useFetchClient();
  const [cancel] = useCancelRecordMutation();
  const [remove] = useDeleteRecordMutation();
  const [keep, { isLoading: keeping }] = useKeepRecordMutation();
  const [verify, { isLoading: verifying }] = useVerifyRecordMutation();
  const openRestore = useRestoreDialog();

  /** Runs a command and says how it went; a refusal shows the server's message. */
  const command = async (run: () => Promise<{ data?: unknown; error?: unknown }>, success: string) => {
    const answer = await run();
    if ('error' in answer && answer.error) {
      toggleNotification({ type: 'danger', message: (answer.error as ApiError).message ?? t('error.unknown', 'Something went wrong.') });
      return undefined;
    }
    toggleNotification({ type: 'success', message: success });
    return answer.data;
  };

  const hasArchive = record.status === 'completed' && Boolean(record.archiveFile);
  const actions: RecordAction[] = [];

  // A running restore cannot be stopped from here: the site refuses every write until it ends.
  const cancellable = record.status === 'queued' || (record.status === 'running' && record.kind !== 'restore');
  if (allowed.canCancel && cancellable) {
    actions.push({
      id: 'cancel',
      label: t('actions.cancel', 'Cancel'),
      icon: <Cross />,
      confirm: record.status === 'running' ? t('actions.cancel.confirm-running', 'Stop this running backup? Its partial archive is discarded.') : undefined,
      onClick: () => command(() => cancel(record.documentId), t('actions.cancel.done', 'Cancelled')).then(() => undefined),
    });
  }
  if (allowed.canDownload && hasArchive) {
    actions.push({
      id: 'download',
      label: t('actions.download', 'Download'),
      icon: <Download />,
      onClick: async () => {
        try {
          const { data } = await post<{ data: { url: string } }>(`/${PLUGIN_ID}/records/${record.documentId}/download-link`);
          startDownload(data.data.url, record.archiveFile!);
        } catch (error) {
          toggleNotification({ type: 'danger', message: (error as Error).message });
        }
      },
    });
  }
  if (hasArchive) {
    actions.push({
      id: 'verify',
      label: t('actions.verify', 'Verify'),
      icon: <SealCheck />,
      disabled: verifying,
      onClick: async () => {
        const answer = await verify(record.documentId);
        if ('data' in answer && answer.data?.ok) {
          toggleNotification({ type: 'success', message: t('actions.verify.ok', 'The archive is intact: every entry matches its manifest.') });
        } else {
          const problems = 'data' in answer && answer.data ? answer.data.errors.join(' ') : ((answer as { error?: ApiError }).error?.message ?? '');
          toggleNotification({ type: 'danger', title: t('actions.verify.failed', 'Verification failed'), message: problems });
        }
      },
    });
  }
  if (allowed.canRestore && hasArchive && record.kind === 'backup' && openRestore) {
    actions.push({ id: 'restore', label: t('actions.restore', 'Restore'), icon: <ClockCounterClockwise />, onClick: () => openRestore(record) });
  }
  // Keeping decides whether the archive may be deleted later: the same permission as deleting it.
  if (allowed.canDelete && hasArchive && record.kind === 'backup') {
    const kept = Boolean(record.keep);
    actions.push({
      id: 'keep',
      label: kept ? t('actions.unkeep', 'Stop keeping (retention may remove it)') : t('actions.keep', 'Keep (retention never removes it)'),
      icon: <Pin />,
      pressed: kept,
      disabled: keeping,
      onClick: () =>
        command(
          () => keep({ documentId: record.documentId, keep: !kept }),
          kept ? t('actions.unkeep.done', 'No longer kept') : t('actions.keep.done', 'Kept'),
        ).then(() => undefined),
    });
  }
  if (allowed.canDelete && !isActive(record)) {
    actions.push({
      id: 'delete',
      label: t('actions.delete', 'Delete'),
      icon: <Trash />,
      danger: true,
      confirm: t('actions.delete.confirm', 'Delete this record and its archive? This cannot be undone.'),
      onClick: () => command(() => remove(record.documentId), t('actions.delete.done', 'Deleted')).then(() => undefined),
    });
  }
  return actions;
};
