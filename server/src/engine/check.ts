/**
 * checkArchive: everything a restore checks before it touches anything — the whole archive
 * verified (format and version, the recorded sha256 or else every entry's sha256 and row count,
 * no path escapes, see verify.ts `forRestore`), then compared with the current database
 * (compat.ts). Only reads.
 *
 * The caller refuses the restore when `errors` is not empty, or when `differences` is not empty
 * and the restore was not forced, and shows those lines as they are. Then it passes the returned
 * manifest to restoreArchive, which re-hashes every entry against it while loading.
 *
 * With `deferEntries` (the restore follows at once) only the manifest is read, from the end of a
 * plain tar (tail-manifest.ts): every entry, and the file's sha256, are checked by the restore as
 * it reads the archive, before its commit. Pass `deferred` on to restoreArchive.
 */
import { createHash } from 'node:crypto';
import { planRestore } from './compat';
import { PROGRESS_INTERVAL_MS } from './constants';
import { parseManifest } from './manifest';
import { ProgressReporter } from './progress';
import { readTailManifest } from './tail-manifest';
import { verifyArchive } from './verify';
import type { ArchiveCheck, CheckOptions, DeferredCheck, RestoreStep, VerifyResult } from './types';

export async function checkArchive(file: string, opts: CheckOptions): Promise<ArchiveCheck> {
  const progress = new ProgressReporter<RestoreStep>(opts.onProgress, { verify: 1 }, Date.now, PROGRESS_INTERVAL_MS, 'verify');
  let read = 0;
  const quick = opts.deferEntries ? await manifestOnly(file, opts.expectedSha256) : null;
  const verify =
    quick?.verify ??
    (await verifyArchive(file, {
      signal: opts.signal,
      expectedSha256: opts.expectedSha256,
      forRestore: true,
      onProgress: (now, size) => {
        progress.setTotal('verify', size);
        progress.add('verify', now - read, 'verifying the archive');
        read = now;
      },
    }));
  if (!verify.ok || !verify.manifest) {
    return { ok: false, verify, errors: verify.errors, differences: [], manifest: verify.manifest, deferred: null };
  }
  const plan = await planRestore(opts.knex, opts.dialect, verify.manifest, opts.keepTables);
  progress.finish(quick ? 'manifest read: each entry is checked as it is restored' : 'archive verified');
  return {
    ok: plan.errors.length === 0 && plan.differences.length === 0,
    verify,
    errors: plan.errors,
    differences: plan.differences,
    manifest: verify.manifest,
    deferred: quick?.deferred ?? null,
  };
}

/** The manifest read from the end of a plain tar, or null when the whole archive must be read. */
async function manifestOnly(file: string, expectedSha256?: string): Promise<{ verify: VerifyResult; deferred: DeferredCheck } | null> {
  const tail = await readTailManifest(file);
  if (!tail) return null;
  const { manifest, errors } = parseManifest(tail.bytes.toString('utf8'));
  return {
    verify: { ok: errors.length === 0, errors, manifest, sha256: '', size: tail.size },
    deferred: { sha256: expectedSha256?.toLowerCase() ?? null, manifestSha256: createHash('sha256').update(tail.bytes).digest('hex') },
  };
}
