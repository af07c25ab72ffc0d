import fs from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../constants';
import { verifyArchive } from '../../engine';
import { getService } from '../../utils';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { printJson } from '../output';

/** An archive path is checked without booting the app; a record id needs the app to find it. */
const locate = async (ctx: CommandContext, target: string): Promise<{ file: string; expectedSha256?: string }> => {
  const asPath = path.resolve(target);
  if (fs.existsSync(asPath)) return { file: asPath };
  const strapi = await ctx.strapi();
  const record = await getService(strapi, 'records').findByRef(target);
  if (!record) throw new CliError(`${target} is neither an archive file nor a backup record`);
  if (!record.archiveFile) throw new CliError(`record ${record.id} has no archive (status ${record.status})`);
  return {
    file: getService(strapi, 'storage').resolve(record.archiveFile),
    expectedSha256: record.archiveSha256 ?? undefined,
  };
};

/** `verify <archive path | record id>`: reads the archive once and checks everything in it. */
export const verify = async (ctx: CommandContext): Promise<number> => {
  const { file, expectedSha256 } = await locate(ctx, ctx.positionals[0]);
  const result = await verifyArchive(file, { expectedSha256 });
  if (ctx.json) {
    printJson({ file, ...result });
  } else if (result.ok) {
    const m = result.manifest!;
    process.stdout.write(`OK ${file}: ${m.tables.length} tables, ${m.files.length} files, sha256 ${result.sha256}\n`);
  } else {
    process.stderr.write(`Verify failed for ${file}:\n${result.errors.map((e: string) => `  - ${e}`).join('\n')}\n`);
  }
  return result.ok ? EXIT.ok : EXIT.verifyFailed;
};
