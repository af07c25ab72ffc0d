/**
 * Which archive a command means (`verify`, `restore`): `--record ID`, `--file PATH`, or one bare
 * argument — a numeric id or a documentId is a record, anything else a file. A bare argument that
 * is both a record reference and a file here is refused, so a guess can never pick the wrong one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandContext } from './context';
import { CliError, usageError } from './errors';

/**
 * What records.findByRef could read as a record: a numeric id, or a documentId as Strapi generates
 * it (cuid2: a lowercase letter and 23 lowercase letters or digits). Nothing else can name a record.
 */
const RECORD_REF = /^(?:\d+|[a-z][a-z0-9]{23})$/;

export type ArchiveChoice = { record: string } | { file: string };

export const chooseArchive = (ctx: CommandContext, command: string): ArchiveChoice => {
  const record = ctx.flags.record as string | undefined;
  const file = ctx.flags.file as string | undefined;
  const [arg] = ctx.positionals;
  const given = [record, file, arg].filter((v) => v !== undefined).length;
  if (given === 0) throw usageError(`Missing archive: ${command} --record ID or ${command} --file PATH`);
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

/** An archive file named on the command line, resolved where the operator stands (before a boot changes directory). */
export const archiveFile = (choice: { file: string }): string => {
  const file = path.resolve(choice.file);
  if (!fs.existsSync(file)) throw new CliError(`No archive file ${file}`);
  return file;
};
