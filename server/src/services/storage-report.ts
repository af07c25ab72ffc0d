/**
 * The backup directory held against the records: the space archives take, per profile and in all,
 * the space left on that disk, archives that no record names (orphans) and records whose archive
 * is gone. Orphans are reported, never deleted: an operator may have copied an archive there on
 * purpose (to restore it with the CLI), and only a person can tell.
 */
import type { Core } from '@strapi/strapi';
import { ACTIVE_STATUSES, STORAGE_CHECK_LOGGED, UID, isActiveStatus } from '../../../shared/constants';
import type { ArchiveFile, ArchiveOwner, ProfileUsage, StorageReport } from '../../../shared/contracts';
import { formatBytes } from '../../../shared/format';
import { errorMessage, getService } from '../utils';
import { archiveRecordId } from './storage';

/**
 * Matches files to records. A file named after a queued or running job is not an orphan: its
 * worker renamed it into place and is about to record it.
 */
export const reconcile = (files: ArchiveFile[], owners: ArchiveOwner[]): Pick<StorageReport, 'totalBytes' | 'profiles' | 'orphans' | 'missing'> => {
  const byName = new Map(owners.filter((o) => o.archiveFile).map((o) => [o.archiveFile as string, o]));
  const activeById = new Map(owners.filter((o) => isActiveStatus(o.status)).map((o) => [o.id, o]));
  const usage = new Map<string | null, ProfileUsage>();
  const orphans: ArchiveFile[] = [];
  for (const file of files) {
    const owner = byName.get(file.name) ?? activeById.get(archiveRecordId(file.name) ?? -1);
    if (!owner) {
      orphans.push(file);
      continue;
    }
    const key = owner.profile?.documentId ?? null;
    const entry = usage.get(key) ?? { profile: owner.profile, archives: 0, bytes: 0 };
    entry.archives += 1;
    entry.bytes += file.size;
    usage.set(key, entry);
  }
  const onDisk = new Set(files.map((file) => file.name));
  const missing = owners
    .filter((o) => o.archiveFile && !onDisk.has(o.archiveFile))
    .map((o) => ({ id: o.id, documentId: o.documentId, archiveFile: o.archiveFile as string, profile: o.profile?.name ?? null }));
  return {
    totalBytes: files.reduce((sum, file) => sum + file.size, 0),
    profiles: [...usage.values()].sort((a, b) => b.bytes - a.bytes),
    orphans: orphans.sort((a, b) => a.name.localeCompare(b.name)),
    missing,
  };
};

/** Names in a log line, at most STORAGE_CHECK_LOGGED of them; the storage route lists them all. */
const listed = (names: string[]) =>
  names.slice(0, STORAGE_CHECK_LOGGED).join(', ') + (names.length > STORAGE_CHECK_LOGGED ? ` and ${names.length - STORAGE_CHECK_LOGGED} more` : '');

const createStorageReportService = ({ strapi }: { strapi: Core.Strapi }) => {
  const storage = () => getService(strapi, 'storage');

  /** Records first: a job that records its archive between the two reads was still active when read. */
  const readOnce = async () => {
    const owners: ArchiveOwner[] = await strapi.db.query(UID.record).findMany({
      where: { $or: [{ archiveFile: { $notNull: true } }, { status: { $in: ACTIVE_STATUSES } }] },
      select: ['id', 'documentId', 'status', 'archiveFile'],
      populate: { profile: { select: ['documentId', 'name'] } },
    });
    return reconcile(await storage().archives(), owners);
  };

  return {
    async get(): Promise<StorageReport> {
      let found = await readOnce();
      // Retention or a delete on another instance clears a record, then removes its file: between
      // the two a file looks orphaned, or a record's file missing. Only what two reads agree on is.
      if (found.orphans.length > 0 || found.missing.length > 0) {
        const first = found;
        found = await readOnce();
        found.orphans = found.orphans.filter((o) => first.orphans.some((p) => p.name === o.name));
        found.missing = found.missing.filter((m) => first.missing.some((p) => p.id === m.id));
      }
      const freeBytes = await storage()
        .freeSpace()
        .catch((error: unknown) => {
          strapi.log.warn(`[backup] free space of ${storage().directory()}: ${errorMessage(error)}`);
          return null;
        });
      return { directory: storage().directory(), freeBytes, ...found };
    },

    /** The daily check: logs what needs a person's eye, and returns the report. */
    async check(): Promise<StorageReport> {
      const report = await this.get();
      const { orphans, missing, directory } = report;
      if (orphans.length > 0) {
        const names = listed(orphans.map((o) => `${o.name} (${formatBytes(o.size)})`));
        strapi.log.warn(
          `[backup] storage check: ${orphans.length} ${orphans.length === 1 ? 'archive' : 'archives'} in ${directory} named by no record, left in place (delete by hand what is not needed): ${names}`,
        );
      }
      if (missing.length > 0) {
        const names = listed(missing.map((m) => `record ${m.id} (${m.archiveFile})`));
        strapi.log.warn(
          `[backup] storage check: ${missing.length} ${missing.length === 1 ? 'record names an archive' : 'records name archives'} missing from ${directory}: ${names}`,
        );
      }
      return report;
    },
  };
};

export default createStorageReportService;
