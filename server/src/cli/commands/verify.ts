import fs from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../constants';
import { verifyArchive } from '../../engine';
import type { BackupRecord } from '../../services/records';
import { getService } from '../../utils';
import type { CommandContext } from '../context';
import { CliError, usageError } from '../errors';
import { printJson } from '../output';

/** What verify reads: a file named on the command line, or the archive of a record. */
type Target = { file: string; record?: BackupRecord; expectedSha256?: string };

/**
 * What records.findByRef could read as a record: a numeric id, or a documentId as Strapi generates
 * it (cuid2: a lowercase letter and 23 lowercase letters or digits). Nothing else can name a record.
 */
const RECORD_REF = /^(?:\d+|[a-z][a-z0-9]{23})$/;

type Choice = { record: string } | { file: string };

/** Which one the operator meant; a bare argument that is both a record reference and a file here is refused. */
const choose = (ctx: CommandContext): Choice => {
  const record = ctx.flags.record as string | undefined;
  const file = ctx.flags.file as string | undefined;
  const [arg] = ctx.positionals;
  const given = [record, file, arg].filter((v) => v !== undefined).length;
  if (given === 0) throw usageError('Missing archive: verify --record ID or verify --file PATH');
  if (given > 1) throw usageError('Give one archive: --record ID, --file PATH or one argument');
  if (record !== undefined) return { record };
  if (file !== undefined) return { file };
  const bare = arg as string; // the one thing given
  if (!RECORD_REF.test(bare)) return { file: bare };
  if (fs.existsSync(bare)) {
    throw usageError(`“${bare}” is both a file here and a record reference: say --record ${bare} or --file ${bare}`);
  }
  return { record: bare };
};

/** An archive file is checked without booting the app; a record needs the app to find it. */
const locate = async (ctx: CommandContext, choice: Choice): Promise<Target> => {
  if ('file' in choice) {
    // Resolved here, before any boot changes directory into the app.
    const file = path.resolve(choice.file);
    if (!fs.existsSync(file)) throw new CliError(`No archive file ${file}`);
    return { file };
  }
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
  const { file, record, expectedSha256 } = await locate(ctx, choose(ctx));
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
