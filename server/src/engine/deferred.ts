/**
 * What a restore checks itself after a deferred check (CheckOptions.deferEntries), where the full
 * check would have done it before: the entries it reads past without using them, the manifest
 * entry, and, when it fails, whether the archive was damaged (a refusal, not a failure).
 */
import { createHash } from 'node:crypto';
import { drain, type ArchiveEntry } from './archive-read';
import { MANIFEST_NAME } from './constants';
import { ArchiveRefusedError } from './errors';
import type { DeferredCheck } from './types';
import { verifyArchive } from './verify';

/**
 * Reads past an entry the restore does not use (an upload or project file not restored, a kept or
 * skipped table). After a deferred check without a recorded sha256 it must still match its
 * manifest line, as the full check required; with one, the whole file's sha256 covers it.
 */
export async function passOver(entry: ArchiveEntry, deferred: DeferredCheck | null | undefined, listed: { sha256: string; size?: number }): Promise<void> {
  if (!deferred || deferred.sha256) return drain(entry);
  if (!(await matches(entry, listed.sha256, listed.size))) {
    throw new ArchiveRefusedError([
      `${entry.header.name}: size or sha256 does not match the manifest (the archive is damaged, or changed since it was checked)`,
    ]);
  }
}

/** After a deferred check, the archive's manifest must be the one the check read and planned with. */
export async function checkManifestEntry(entry: ArchiveEntry, deferred: DeferredCheck | null | undefined): Promise<void> {
  if (!deferred) return drain(entry);
  if (!(await matches(entry, deferred.manifestSha256))) {
    throw new ArchiveRefusedError([`${MANIFEST_NAME} is not the one the check read (the archive changed since it was checked)`]);
  }
}

/**
 * A deferred restore that failed otherwise than by refusing the archive (a tar header that does not
 * parse, a damaged row that the database rejected before its entry's sha256 was known): checks the
 * archive as the full check would have, and reports the damage it finds as the refusal it is.
 */
export async function refusalIfDamaged(err: unknown, file: string, deferred: DeferredCheck | null | undefined): Promise<unknown> {
  if (!deferred || err instanceof ArchiveRefusedError) return err;
  const verify = await verifyArchive(file, { expectedSha256: deferred.sha256 ?? undefined, forRestore: true }).catch(() => null);
  return verify && !verify.ok ? new ArchiveRefusedError(verify.errors) : err;
}

async function matches(entry: AsyncIterable<Buffer>, sha256: string, size?: number): Promise<boolean> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of entry) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return hash.digest('hex') === sha256 && (size === undefined || bytes === size);
}
