import { EXIT } from '../../../../shared/constants';
import { verifyArchive } from '../../engine';
import type { BackupRecord } from '../../../../shared/contracts';
import { getService } from '../../utils';
import type { CommandContext } from '../context';
import { archiveFile, chooseArchive, type ArchiveChoice } from '../archive-choice';
import { CliError } from '../errors';
import { printJson } from '../output';

/** What verify reads: a file named on the command line, or the archive of a record. */
type Target = { file: string; record?: BackupRecord; expectedSha256?: string };

/** An archive file is checked without booting the app; a record needs the app to find it. */
const locate = async (ctx: CommandContext, choice: ArchiveChoice): Promise<Target> => {
  if ('file' in choice) return { file: archiveFile(choice) };
  const strapi = await ctx.strapi();
  const record = await getService(strapi, 'records').findByRef(choice.record);
  if (!record) throw new CliError(`No backup record ${choice.record}`);
  if (!record.archiveFile) throw new CliError(`record ${record.id} has no archive (status ${record.status})`);
  return {
    file: getService(strapi, 'storage').resolve(record.archiveFile),
    record,
    expectedSha256: record.archiveSha256 ?? undefined,
  };
};

/** `verify [--record ID | --file PATH | ARG]`: reads the archive once and checks everything in it. */
export const verify = async (ctx: CommandContext): Promise<number> => {
  const { file, record, expectedSha256 } = await locate(ctx, chooseArchive(ctx, 'verify'));
  const result = await verifyArchive(file, { expectedSha256 });
  // Say which one was checked, so that a mistaken guess can never pass unnoticed.
  const checked = record ? `record ${record.id} (archive ${file})` : `file ${file}`;
  if (ctx.json) {
    printJson({ checked: record ? 'record' : 'file', record: record ? { id: record.id, documentId: record.documentId } : null, file, ...result });
  } else if (result.ok) {
    const m = result.manifest!;
    process.stdout.write(`OK ${checked}: ${m.tables.length} tables, ${m.files.length} files, sha256 ${result.sha256}\n`);
  } else {
    process.stderr.write(`Verify failed for ${checked}:\n${result.errors.map((e: string) => `  - ${e}`).join('\n')}\n`);
  }
  return result.ok ? EXIT.ok : EXIT.verifyFailed;
};
