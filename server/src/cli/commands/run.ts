import type { Core } from '@strapi/strapi';
import { EXIT, isFinalStatus } from '../../../../shared/constants';
import type { BackupRecord } from '../../../../shared/contracts';
import { getService } from '../../utils';
import type { CommandContext } from '../context';
import { formatBytes, printJson, progressPrinter } from '../output';

const POLL_MS = 500;

/** Follows a record until it ends, whichever process runs it; says why it waits, then prints its progress. */
export const follow = async (
  strapi: Core.Strapi,
  record: BackupRecord,
  position: number,
  json: boolean,
  waiting = `Queued at position ${position}; waiting for the current job of this profile to finish…`,
): Promise<BackupRecord> => {
  const records = getService(strapi, 'records');
  const printer = json ? null : progressPrinter();
  let current = record;
  // Position 0 starts at once; only a job behind another one waits.
  let announcedQueue = position === 0;
  while (!isFinalStatus(current.status)) {
    if (current.status === 'queued' && !announcedQueue && !json) {
      process.stderr.write(`${waiting}\n`);
      announcedQueue = true;
    }
    if (current.status === 'running' && current.progress) printer?.update(current.progress as any);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    current = (await records.findById(record.id)) as BackupRecord;
  }
  // The record's last progress says its last step (a backup's `finalize`, a restore's `done`).
  if (current.status === 'completed') printer?.update((current.progress as any) ?? { step: 'finalize', percent: 100 });
  printer?.done();
  return current;
};

export const printOutcome = (record: BackupRecord, json: boolean) => {
  if (json) printJson(record);
  else if (record.status === 'completed') {
    process.stdout.write(`Backup completed: ${record.archiveFile} (${formatBytes(record.archiveSize)}, sha256 ${record.archiveSha256})\n`);
  } else {
    process.stderr.write(`Backup ${record.status}${record.statusReason ? ` (${record.statusReason})` : ''}: ${record.message ?? 'no reason recorded'}\n`);
  }
};

/**
 * `run [--profile NAME] [--wait]`: enqueues a backup. Without --wait it returns at once (a worker
 * of the site runs it); with --wait this process also works the queue and follows the job.
 */
export const run = async (ctx: CommandContext): Promise<number> => {
  const strapi = await ctx.strapi();
  const profile = await getService(strapi, 'profiles').resolve(ctx.flags.profile as string | undefined);
  const result = await getService(strapi, 'queue').requestBackup(profile, { trigger: 'cli' });
  if (!result.accepted) {
    if (ctx.json) printJson({ error: { reason: result.reason, message: result.message, record: result.record } });
    process.stderr.write(`strapi-backup: ${result.message}\n`);
    return EXIT.rejected;
  }
  if (!ctx.json) process.stderr.write(`${result.message} (record ${result.record.id})\n`);
  if (!ctx.flags.wait) {
    if (ctx.json) printJson({ data: result.record, meta: { position: result.position }, message: result.message });
    return EXIT.ok;
  }
  getService(strapi, 'worker').start();
  const done = await follow(strapi, result.record, result.position, ctx.json);
  printOutcome(done, ctx.json);
  return done.status === 'completed' ? EXIT.ok : EXIT.failed;
};
