import type { Core } from '@strapi/strapi';
import { EXIT, isFinalStatus } from '../../../../shared/constants';
import type { BackupRecord } from '../../../../shared/contracts';
import { getService } from '../../utils';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { formatBytes, printJson } from '../output';

const findRecord = async (strapi: Core.Strapi, ref: string): Promise<BackupRecord> => {
  const record = await getService(strapi, 'records').findByRef(ref);
  if (!record) throw new CliError(`No backup record ${ref}`);
  return record;
};

/** `status <record>`: one record, with its progress while it runs. */
export const status = async (ctx: CommandContext): Promise<number> => {
  const record = await findRecord(await ctx.strapi(), ctx.positionals[0]);
  if (ctx.json) {
    printJson(record);
    return EXIT.ok;
  }
  const lines = [
    `record ${record.id} (${record.documentId}): ${record.kind} of “${record.profile?.name ?? '?'}”, ${record.status}${record.statusReason ? ` (${record.statusReason})` : ''}`,
    record.status === 'running' && record.progress ? `progress ${record.progress.percent}% ${record.progress.step}` : null,
    `trigger ${record.trigger}, queued ${record.queuedAt ?? '-'}, started ${record.startedAt ?? '-'}, finished ${record.finishedAt ?? '-'}`,
    record.archiveFile ? `archive ${record.archiveFile} (${formatBytes(record.archiveSize)}, sha256 ${record.archiveSha256})` : null,
    record.message,
  ];
  process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
  return EXIT.ok;
};

/** `cancel <record>`: a queued job at once, a running one cooperatively. */
export const cancel = async (ctx: CommandContext): Promise<number> => {
  const strapi = await ctx.strapi();
  const record = await findRecord(strapi, ctx.positionals[0]);
  if (isFinalStatus(record.status)) {
    throw new CliError(`record ${record.id} has already ended (${record.status})`);
  }
  const after = (await getService(strapi, 'queue').cancel(record.id)) as BackupRecord;
  if (ctx.json) printJson(after);
  else if (after.status === 'cancelled') process.stdout.write(`Cancelled record ${after.id}.\n`);
  else process.stdout.write(`Asked record ${after.id} to stop; it stops at its next heartbeat.\n`);
  return EXIT.ok;
};

/** `worker [--concurrency N]`: a dedicated worker process until SIGTERM or SIGINT. */
export const worker = async (ctx: CommandContext): Promise<number> => {
  // Checked while parsing (program.ts): an integer from 1 to 16, or absent.
  const concurrency = ctx.flags.concurrency as number | undefined;
  const strapi = await ctx.strapi();
  if (concurrency) strapi.config.set('plugin::backup.worker.concurrency', concurrency);
  const service = getService(strapi, 'worker');
  service.start();
  process.stderr.write(`Worker ${process.pid} started; SIGTERM or SIGINT stops it.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.stderr.write('Stopping: letting the current job finish…\n');
  await service.stop();
  return EXIT.ok;
};
