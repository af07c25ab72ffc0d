import { EXIT } from '../../../../shared/constants';
import { getService } from '../../utils';
import type { CommandContext } from '../context';
import { formatTable, printJson } from '../output';

/** `profiles`: every profile, the default one first. */
export const profiles = async (ctx: CommandContext): Promise<number> => {
  const all = await getService(await ctx.strapi(), 'profiles').list();
  if (ctx.json) {
    printJson({ data: all });
    return EXIT.ok;
  }
  const rows = all.map((p) => [
    p.name + (p.isDefault ? ' (default)' : ''),
    p.queueBehavior,
    p.format,
    p.schedule || '-',
    [p.includeDatabase && 'database', p.includeUploads && 'uploads', p.includeProjectFiles && 'files'].filter(Boolean).join(', '),
  ]);
  process.stdout.write(`${formatTable(['NAME', 'QUEUE', 'FORMAT', 'SCHEDULE', 'INCLUDES'], rows)}\n`);
  return EXIT.ok;
};
