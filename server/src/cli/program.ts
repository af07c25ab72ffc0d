/**
 * The commands of `strapi-backup` and their options, as commander reads them and prints their help.
 * Parsing only: handlers live in ./commands, exit codes and error lines in ./index.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, RECORD_STATUSES } from '../../../shared/constants';
import { PLUGIN_VERSION } from '../utils';
import { cancel, status, worker } from './commands/jobs';
import { list } from './commands/list';
import { profiles } from './commands/profiles';
import { restore } from './commands/restore';
import { run } from './commands/run';
import { verify } from './commands/verify';
import type { CommandContext } from './context';
import { usageError } from './errors';

export type Handler = (ctx: CommandContext) => Promise<number>;

/** Called once the command line is parsed: the handler to run, and the subcommand with its values. */
export type Dispatch = (handler: Handler, command: Command) => Promise<void>;

/** Options of every command, read before or after the command's name. */
const GLOBAL_OPTIONS: Array<[flags: string, description: string]> = [
  ['--app-dir <dir>', 'the Strapi app (default: the current directory); its .env is loaded as `strapi start` there would'],
  ['--json', 'print only JSON on stdout'],
  ['--debug', "show Strapi's logs and stack traces"],
];

const GLOBAL_OPTIONS_HELP = `
Global options (before or after the command):
${GLOBAL_OPTIONS.map(([flags, description]) => `  ${flags.padEnd(16)} ${description}`).join('\n')}`;

const EXIT_CODES_HELP = `
Exit codes: 0 success, 1 the job or command failed, 2 usage error, 3 rejected by the queue, 4 archive refused (by verify or a restore's checks).
Run \`strapi-backup help <command>\` for a command's options.`;

const concurrency = (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('It must be an integer from 1 to 16.');
  return n;
};

export const buildProgram = (dispatch: Dispatch): Command => {
  const program = new Command('strapi-backup')
    .description(`back up a Strapi site (strapi-backup ${PLUGIN_VERSION})`)
    .usage('[global options] <command> [options]')
    .addHelpCommand(false)
    .showSuggestionAfterError()
    .exitOverride()
    // index.ts prints every error in one line of its own; help goes to stdout only when asked for.
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .addHelpText('after', EXIT_CODES_HELP);
  // Options of the program are read wherever they stand (commander's default, kept on purpose:
  // `strapi-backup --app-dir D run` and `strapi-backup run --app-dir D` are the same command).
  for (const [flags, description] of GLOBAL_OPTIONS) program.option(flags, description);
  program.version(PLUGIN_VERSION, '-v, --version', 'print the version');

  const command = (name: string, description: string, handler: Handler) =>
    program
      .command(name)
      .description(description)
      .allowExcessArguments(false)
      .addHelpText('after', GLOBAL_OPTIONS_HELP)
      .action((...args: unknown[]) => dispatch(handler, args[args.length - 1] as Command));

  command('run', 'queue a backup and return; with --wait, work the queue here and follow the job to its end', run)
    .option('--profile <name>', 'the profile to back up with (default: the default profile)')
    .option('--wait', 'run the job in this process and follow it: a progress bar on a terminal, plain lines otherwise');

  command('list', 'backup and restore records, newest first', list)
    .option('--profile <name>', 'only the records of this profile')
    .addOption(new Option('--status <status>', 'only the records in this status').choices([...RECORD_STATUSES]));

  command('verify', "check an archive once: manifest, every entry's sha256 and row count, unsafe paths", verify)
    .argument('[archive]', 'a record id (or documentId), or an archive file; a name that could be both is refused')
    .option('--record <id>', 'the archive of this backup record (id or documentId)')
    .option('--file <path>', 'this archive file (the app is not booted)');

  command(
    'restore',
    'put the site back as an archive holds it (database and uploads; project files with --files), through the queue; offline when the app cannot boot',
    restore,
  )
    .argument('[archive]', 'a record id (or documentId), or an archive file; a name that could be both is refused')
    .option('--record <id>', 'the archive of this backup record (id or documentId)')
    .option('--file <path>', 'this archive file')
    .option('--yes', 'do not ask (required without a terminal: the restore is refused otherwise)')
    .option('--no-safety-backup', 'do not back up the current site first')
    .option('--force', 'when the schemas differ, restore the tables and columns the archive and the database have in common')
    .option('--files', 'also put back the project files (config/, src/, database/migrations/, package.json, …)')
    .option('--env', 'with --files: also put back .env, when the archive has it');

  command('status', 'one record, with its progress while it runs', status).argument('<record>', 'record id or documentId');

  command('cancel', 'cancel a queued job at once, or ask a running one to stop', cancel).argument('<record>', 'record id or documentId');

  command('worker', 'a dedicated worker (no HTTP server) until SIGTERM/SIGINT', worker).addOption(
    new Option('--concurrency <n>', 'jobs of different profiles run at once (1 to 16)').argParser(concurrency),
  );

  command('profiles', 'the backup profiles', profiles);

  program
    .command('help [command]')
    .description("a command's usage and options")
    .action((name: string | undefined) => dispatch(async () => help(program, name), program));

  return program;
};

/** `help [command]`: the program's help, or one command's. */
const help = (program: Command, name: string | undefined): number => {
  const target = name === undefined ? program : program.commands.find((c) => c.name() === name);
  if (!target) throw usageError(`Unknown command “${name}”`);
  target.outputHelp();
  return EXIT.ok;
};
