import { EXIT } from '../../constants';
import { getService } from '../../utils';
import type { CommandContext } from '../context';
import { formatBytes, printJson, progressPrinter } from '../output';

/** `run [--profile NAME] [--wait]`: takes a backup now and reports how it ended. */
export const run = async (ctx: CommandContext): Promise<number> => {
  const strapi = await ctx.strapi();
  const profile = await getService(strapi, 'profiles').resolve(ctx.flags.profile as string | undefined);
  const record = await getService(strapi, 'records').create({ profile: profile.id, kind: 'backup', trigger: 'cli' });
  if (!ctx.json) process.stderr.write(`Backup of “${profile.name}” started (record ${record.id}).\n`);
  const printer = ctx.flags.wait && !ctx.json ? progressPrinter() : null;
  const done = await getService(strapi, 'runner').run(record, profile, (p) => printer?.update(p));
  printer?.done();
  if (ctx.json) printJson(done);
  else if (done.status === 'completed') {
    process.stdout.write(`Backup completed: ${done.archiveFile} (${formatBytes(done.archiveSize)}, sha256 ${done.archiveSha256})\n`);
  } else {
    process.stderr.write(`Backup ${done.status}: ${done.message ?? 'no reason recorded'}\n`);
  }
  return done.status === 'completed' ? EXIT.ok : EXIT.failed;
};
