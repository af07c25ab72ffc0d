/**
 * Webhook events: `backup.*` and `restore.*` at every state change of a record, emitted on
 * Strapi's event hub so Strapi's own webhook runner delivers them (Settings → Webhooks).
 *
 * Emissions run one after another on a per-process chain, so listeners see a record's events in
 * the order its state changed here (queued before started before completed). A listener that
 * fails is logged; nothing is ever thrown back into the queue.
 */
import type { Core } from '@strapi/strapi';
import { WEBHOOK_EVENTS, type RecordStatus, type WebhookEvent } from '../constants';
import { errorMessage, getService } from '../utils';
import type { BackupRecord } from './records';

const VERB: Record<RecordStatus, string> = {
  queued: 'queued',
  running: 'started',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** What a webhook receives as `record`: the record's public fields (records hold no secrets). */
export const toPayload = (record: BackupRecord) => ({
  id: record.id,
  documentId: record.documentId,
  kind: record.kind,
  status: record.status,
  statusReason: record.statusReason,
  trigger: record.trigger,
  requestedBy: record.requestedBy,
  queuedAt: record.queuedAt,
  startedAt: record.startedAt,
  finishedAt: record.finishedAt,
  worker: record.worker,
  archiveFile: record.archiveFile,
  archiveSize: record.archiveSize === null || record.archiveSize === undefined ? null : Number(record.archiveSize),
  archiveSha256: record.archiveSha256,
  encrypted: record.encrypted,
  message: record.message,
  idempotencyKey: record.idempotencyKey,
  profile: record.profile ? { documentId: record.profile.documentId, name: record.profile.name } : null,
});

export const eventOf = (record: Pick<BackupRecord, 'kind' | 'status'>): WebhookEvent =>
  `${record.kind === 'restore' ? 'restore' : 'backup'}.${VERB[record.status]}` as WebhookEvent;

const createNotifierService = ({ strapi }: { strapi: Core.Strapi }) => {
  let chain: Promise<void> = Promise.resolve();

  const enqueue = (label: string, work: () => Promise<void>) => {
    chain = chain.then(work).catch((error: unknown) => {
      strapi.log.error(`[backup] webhook event for ${label}: ${errorMessage(error)}`);
    });
  };

  const publish = async (record: BackupRecord) => {
    await strapi.eventHub.emit(eventOf(record), { record: toPayload(record) });
  };

  return {
    /** Lists the events in Strapi's webhook store, so webhooks may subscribe to them. */
    registerEvents() {
      const store = strapi.get('webhookStore');
      for (const [key, value] of Object.entries(WEBHOOK_EVENTS)) store.addAllowedEvent(key, value);
    },

    /** The event of `record` as it is now (a fresh record just queued or claimed). */
    emit(record: BackupRecord) {
      enqueue(`record ${record.id}`, () => publish(record));
    },

    /**
     * The event of a record that just reached a final status, read back with its final fields;
     * then its notification e-mail, if its profile asks for one.
     */
    emitById(recordId: number) {
      enqueue(`record ${recordId}`, async () => {
        const record = await getService(strapi, 'records').findById(recordId);
        if (!record) return;
        await publish(record);
        getService(strapi, 'mailer').jobEnded(record);
      });
    },

    /** Resolves when every event asked for so far has been handed to the event hub. */
    flush(): Promise<void> {
      return chain;
    },
  };
};

export type NotifierService = ReturnType<typeof createNotifierService>;
export default createNotifierService;
