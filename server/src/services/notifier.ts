/**
 * Webhook events: `backup.*` and `restore.*` at every state change of a record, emitted on
 * Strapi's event hub so Strapi's own webhook runner delivers them (Settings → Webhooks).
 *
 * Emissions run one after another on a per-process chain, so listeners see a record's events in
 * the order its state changed here (queued before started before completed). A listener that
 * fails is logged; nothing is ever thrown back into the queue.
 */
import type { Core } from '@strapi/strapi';
import { UID, WEBHOOK_EVENTS, type RecordStatus, type WebhookEvent } from '../../../shared/constants';
import { errorMessage, getService } from '../utils';
import type { BackupRecord } from '../../../shared/contracts';

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

/** How often, while Strapi finishes loading, the boot's pending events check whether they may go. */
const LOADED_CHECK_MS = 50;

const createNotifierService = ({ strapi }: { strapi: Core.Strapi }) => {
  let chain: Promise<void> = Promise.resolve();
  let announced: Promise<number> | null = null;
  /** Ends the wait for Strapi to load (announcePending), sending nothing. */
  let stopWaiting: (() => void) | null = null;

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

    /**
     * The final events of records that ended while Strapi booted (the pre-update / pre-uninstall
     * hooks run before Strapi's webhooks are loaded): sent once Strapi has loaded, then never
     * looked for again in this process. Each is claimed by a conditional update, so of several
     * instances booting together exactly one sends it. Only processes that stay up call it (a
     * server, a worker): Strapi's webhook runner delivers after emit returns, which a one-shot CLI
     * command would not wait for. Resolves with how many this one sent.
     */
    announcePending(): Promise<number> {
      announced ??= new Promise<boolean>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        // Strapi sets isLoaded after the providers' bootstrap, which loads the webhooks.
        const check = () => (strapi.isLoaded ? resolve(true) : (timer = setTimeout(check, LOADED_CHECK_MS)));
        stopWaiting = () => {
          clearTimeout(timer);
          resolve(false);
        };
        check();
      })
        .then(async (loaded) => {
          stopWaiting = null;
          if (!loaded) return 0;
          const query = strapi.db.query(UID.record);
          const pending: { id: number }[] = await query.findMany({ where: { eventPending: true }, select: ['id'] });
          let sent = 0;
          for (const { id } of pending) {
            const { count } = await query.updateMany({ where: { id, eventPending: true }, data: { eventPending: false } });
            if (count !== 1) continue;
            this.emitById(id);
            sent += 1;
          }
          if (sent > 0) strapi.log.info(`[backup] sent the events of ${sent} ${sent === 1 ? 'record' : 'records'} written while Strapi booted.`);
          strapi.log.debug(`[backup] boot events checked: ${pending.length} pending, ${sent} sent by this instance.`);
          return sent;
        })
        .catch((error: unknown) => {
          strapi.log.error(`[backup] events of records written while Strapi booted: ${errorMessage(error)}`);
          return 0;
        });
      return announced;
    },

    /** Stops waiting for Strapi to load (a process stopping before it did). */
    stop() {
      stopWaiting?.();
    },

    /**
     * Resolves when every event asked for so far has been handed to the event hub, the boot's
     * pending ones included: their lookup must not outlive the database (destroy awaits this,
     * after stop(): before Strapi has loaded, only stop() ends their wait).
     */
    async flush(): Promise<void> {
      await announced;
      await chain;
    },
  };
};

export default createNotifierService;
