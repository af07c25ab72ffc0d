/**
 * `strapi-backup`: back up a Strapi app from a shell. Exit codes (constants.EXIT): 0 success,
 * 1 the job or command failed, 2 usage error, 3 rejected by the queue, 4 verify failed.
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT } from '../constants';
import { PLUGIN_VERSION, errorMessage } from '../utils';
import { list } from './commands/list';
import { profiles } from './commands/profiles';
import { cancel, status, worker } from './commands/jobs';
import { run } from './commands/run';
import { verify } from './commands/verify';
import { createContext, type CommandContext } from './context';
import { CliError, usageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

interface Command {
  usage: string;
  summary: string;
  options: Options;
  positionals: string[];
  handler: (ctx: CommandContext) => Promise<number>;
}

const GLOBAL_OPTIONS: Options = {
  'app-dir': { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const COMMANDS: Record<string, Command> = {
  run: {
    usage: 'run [--profile NAME] [--wait] [--json]',
    summary: 'queue a backup (default profile unless named); --wait works the queue here and follows it to the end',
    options: { profile: { type: 'string' }, wait: { type: 'boolean' } },
    positionals: [],
    handler: run,
  },
  list: {
    usage: 'list [--profile NAME] [--status S] [--json]',
    summary: 'list backup and restore records, newest first',
    options: { profile: { type: 'string' }, status: { type: 'string' } },
    positionals: [],
    handler: list,
  },
  verify: {
    usage: 'verify <archive path | record id> [--json]',
    summary: 'check an archive: manifest, checksums, row counts, unsafe paths',
    options: {},
    positionals: ['archive'],
    handler: verify,
  },
  status: {
    usage: 'status <record> [--json]',
    summary: 'one record (id or documentId) with its progress',
    options: {},
    positionals: ['record'],
    handler: status,
  },
  cancel: {
    usage: 'cancel <record> [--json]',
    summary: 'cancel a queued job, or ask a running one to stop',
    options: {},
    positionals: ['record'],
    handler: cancel,
  },
  worker: {
    usage: 'worker [--concurrency N]',
    summary: 'run a dedicated worker until SIGTERM/SIGINT (set worker.enabled: false on web instances)',
    options: { concurrency: { type: 'string' } },
    positionals: [],
    handler: worker,
  },
  profiles: {
    usage: 'profiles [--json]',
    summary: 'list backup profiles',
    options: {},
    positionals: [],
    handler: profiles,
  },
};

const HELP = `strapi-backup ${PLUGIN_VERSION}: back up a Strapi site

Usage: strapi-backup <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage.padEnd(46)} ${c.summary}`)
  .join('\n')}

Options for every command:
  --app-dir DIR   the Strapi app (default: the current directory)
  --json          print only JSON on stdout
  --debug         show Strapi's logs and stack traces
  -h, --help      show this help
  -v, --version   print the version

Exit codes: 0 success, 1 the job or command failed, 2 usage error, 3 rejected by the queue, 4 verify failed.
`;

const parse = (command: Command, args: string[]) => {
  try {
    return parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs names the flag in its message ("Unknown option '--x'").
    throw usageError(errorMessage(error).split('. ')[0]);
  }
};

export const main = async (argv: string[]): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${PLUGIN_VERSION}\n`);
    return EXIT.ok;
  }
  let debug = rest.includes('--debug');
  let ctx: ReturnType<typeof createContext> | null = null;
  try {
    const command = COMMANDS[name];
    if (!command) throw usageError(`Unknown command “${name}”`);
    const { values, positionals } = parse(command, rest);
    if (values.help) {
      process.stdout.write(`Usage: strapi-backup ${command.usage}\n  ${command.summary}\n`);
      return EXIT.ok;
    }
    debug = Boolean(values.debug);
    if (positionals.length < command.positionals.length) {
      throw usageError(`Missing argument <${command.positionals[positionals.length]}> for ${name}`);
    }
    if (positionals.length > command.positionals.length) {
      throw usageError(`Unexpected argument “${positionals[command.positionals.length]}” for ${name}`);
    }
    const appDir = path.resolve((values['app-dir'] as string | undefined) ?? process.cwd());
    ctx = createContext(values as CommandContext["flags"], positionals, appDir);
    return await command.handler(ctx);
  } catch (error) {
    const code = error instanceof CliError ? error.exitCode : EXIT.failed;
    process.stderr.write(`strapi-backup: ${errorMessage(error)}\n`);
    if (debug && error instanceof Error && !(error instanceof CliError)) process.stderr.write(`${error.stack}\n`);
    return code;
  } finally {
    await ctx?.close().catch(() => undefined);
  }
};
