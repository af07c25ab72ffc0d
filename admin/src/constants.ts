/** The admin panel's permissions and timings; actions come from the server's one list. */
import { ACTIONS } from '../../shared/constants';

export { isActiveStatus, isFinalStatus, RECORD_STATUSES, RECORD_KINDS, QUEUE_BEHAVIORS, ARCHIVE_FORMATS, PROFILE_LIMITS } from '../../shared/constants';

const permission = (action: string) => [{ action, subject: null }];

export const PERMISSIONS = {
  read: permission(ACTIONS.read),
  manageProfiles: permission(ACTIONS.manageProfiles),
  /** Strapi's own: the webhook events page edits webhooks through the admin's webhook API. */
  webhooks: [
    { action: 'admin::webhooks.read', subject: null },
    { action: 'admin::webhooks.update', subject: null },
  ],
  /**
   * Checked together by useRBAC, which names each by the last part of its action:
   * canRun, canCancel, canRestore, canDownload, canDelete.
   */
  recordActions: [ACTIONS.run, ACTIONS.cancel, ACTIONS.restore, ACTIONS.download, ACTIONS.delete].map((action) => ({ action, subject: null })),
};

/** How often lists and the modal refresh while a job is queued or running (and the tab is visible). */
export const POLL_MS = 2500;
/**
 * GET /backup/activity (the Content Manager warning, the "restart required" banner) is re-read
 * this rarely: an editor stays long on one entry, and a restart is not a matter of seconds.
 */
export const ACTIVITY_POLL_MS = 15000;

export const PAGE_SIZES = ['10', '20', '50', '100'];
export const DEFAULT_PAGE_SIZE = 20;
