import { EXIT, type RecordStatus } from '../../../../shared/constants';
import { getService } from '../../utils';
import type { CommandContext } from '../context';
import { formatBytes, formatTable, printJson } from '../output';

const duration = (from: string | null, to: string | null) => (from && to ? `${Math.round((Date.parse(to) - Date.parse(from)) / 100) / 10}s` : '-');

/** `list [--profile NAME] [--status S]`: the newest records first. */
export const list = async (ctx: CommandContext): Promise<number> => {
  // One of RECORD_STATUSES, checked while parsing (program.ts).
  const status = ctx.flags.status as RecordStatus | undefined;
  const strapi = await ctx.strapi();
  const profileName = ctx.flags.profile as string | undefined;
  const profile = profileName ? await getService(strapi, 'profiles').resolve(profileName) : null;
  const { results, pagination } = await getService(strapi, 'records').list({
    status,
    profile: profile?.documentId,
    pageSize: 100,
  });
  if (ctx.json) {
    printJson({ data: results, meta: { pagination } });
    return EXIT.ok;
  }
  if (results.length === 0) {
    process.stdout.write('No records.\n');
    return EXIT.ok;
  }
  const rows = results.map((r) => [
    String(r.id),
    r.status,
    r.kind,
    r.profile?.name ?? '-',
    r.trigger,
    r.startedAt ? new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19) : '-',
    duration(r.startedAt, r.finishedAt),
    formatBytes(r.archiveSize),
    r.archiveFile ?? r.message ?? '',
  ]);
  process.stdout.write(`${formatTable(['ID', 'STATUS', 'KIND', 'PROFILE', 'TRIGGER', 'STARTED (UTC)', 'TOOK', 'SIZE', 'ARCHIVE'], rows)}\n`);
  return EXIT.ok;
};
