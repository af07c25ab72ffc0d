/**
 * checkArchive: everything a restore checks before it touches anything — the whole archive
 * verified (format and version, the recorded sha256 or else every entry's sha256 and row count,
 * no path escapes, see verify.ts `forRestore`), then compared with the current database
 * (compat.ts). Only reads.
 *
 * The caller refuses the restore when `errors` is not empty, or when `differences` is not empty
 * and the restore was not forced, and shows those lines as they are. Then it passes the returned
 * manifest to restoreArchive, which re-hashes every entry against it while loading.
 */
import { planRestore } from './compat';
import { PROGRESS_INTERVAL_MS } from './constants';
import { ProgressReporter } from './progress';
import { verifyArchive } from './verify';
import type { ArchiveCheck, CheckOptions, RestoreStep } from './types';

export async function checkArchive(file: string, opts: CheckOptions): Promise<ArchiveCheck> {
  const progress = new ProgressReporter<RestoreStep>(opts.onProgress, { verify: 1 }, Date.now, PROGRESS_INTERVAL_MS, 'verify');
  let read = 0;
  const verify = await verifyArchive(file, {
    signal: opts.signal,
    expectedSha256: opts.expectedSha256,
    forRestore: true,
    onProgress: (now, size) => {
      progress.setTotal('verify', size);
      progress.add('verify', now - read, 'verifying the archive');
      read = now;
    },
  });
  if (!verify.ok || !verify.manifest) {
    return { ok: false, verify, errors: verify.errors, differences: [], manifest: verify.manifest };
  }
  const plan = await planRestore(opts.knex, opts.dialect, verify.manifest, opts.keepTables);
  progress.finish('archive verified');
  return {
    ok: plan.errors.length === 0 && plan.differences.length === 0,
    verify,
    errors: plan.errors,
    differences: plan.differences,
    manifest: verify.manifest,
  };
}
