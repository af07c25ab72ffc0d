/**
 * `strapi-backup`: back up and restore a Strapi app from a shell. Exit codes (constants.EXIT): 0
 * success, 1 the job or command failed, 2 usage error, 3 rejected by the queue, 4 archive refused.
 *
 * Parsing is commander's (./program), as in Strapi's own CLI; this module keeps the contract of
 * the README: every error is one line on stderr, every usage error exits 2, stdout stays JSON-only
 * with --json.
 */
import path from 'node:path';
import { CommanderError } from 'commander';
import { EXIT } from '../../../shared/constants';
import { errorMessage } from '../utils';
import { createContext, type CommandContext } from './context';
import { BootError, CliError, usageError } from './errors';
import { buildProgram } from './program';

/** Help and --version end the parse with these codes; everything else commander throws is a usage error. */
const COMMANDER_OK = ['commander.helpDisplayed', 'commander.version'];

/** Commander's message in our one-line form ("error: unknown option '--x'\n(Did you mean …?)"). */
const fromCommander = (error: CommanderError): CliError => {
  if (error.code === 'commander.help') return usageError('Missing command');
  return usageError(error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '));
};

export const main = async (argv: string[]): Promise<number> => {
  let code: number = EXIT.ok;
  let debug = argv.includes('--debug');
  let ctx: ReturnType<typeof createContext> | null = null;
  const program = buildProgram(async (handler, command) => {
    const flags = { ...program.opts(), ...command.opts() } as CommandContext['flags'];
    debug = Boolean(flags.debug);
    // Relative to where the operator typed it: the boot changes directory into the app.
    const appDir = path.resolve((flags.appDir as string | undefined) ?? process.cwd());
    ctx = createContext(flags, command.args, appDir);
    code = await handler(ctx);
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (caught) {
    if (caught instanceof CommanderError && COMMANDER_OK.includes(caught.code)) return EXIT.ok;
    const error = caught instanceof CommanderError ? fromCommander(caught) : caught;
    process.stderr.write(`strapi-backup: ${errorMessage(error)}\n`);
    // A failed boot: the stack of what failed in it.
    const shown = error instanceof BootError && error.cause instanceof Error ? error.cause : error;
    if (debug && shown instanceof Error && !(shown instanceof CliError)) process.stderr.write(`${shown.stack}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.failed;
  } finally {
    await (ctx as ReturnType<typeof createContext> | null)?.close().catch(() => undefined);
  }
};
