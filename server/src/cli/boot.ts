/**
 * Boots the Strapi app of a directory without an HTTP server, with its logs on stderr so that
 * stdout carries only what the command prints (and only JSON with --json).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { WORKER_OFF_ENV } from '../constants';
import { CliError } from './errors';

export interface BootOptions {
  appDir: string;
  debug: boolean;
}

const ALL_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

/** Winston console transports write to stdout by default; send every level to stderr. */
const logsToStderr = (app: Core.Strapi, debug: boolean) => {
  const logger = app.log as any;
  logger.level = debug ? 'debug' : 'warn';
  for (const transport of logger.transports ?? []) {
    if ('stderrLevels' in transport) transport.stderrLevels = Object.fromEntries(ALL_LEVELS.map((l) => [l, true]));
  }
};

/** Newest modification time under `dir` (0 when it does not exist). */
const newestIn = (dir: string): number => {
  if (!fs.existsSync(dir)) return 0;
  let newest = fs.statSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
};

/**
 * A TypeScript app runs from its compiled output, as `strapi start` does. It is compiled again
 * only when missing or older than a source, config or tsconfig change.
 */
const isStale = (appDir: string, distDir: string): boolean => {
  const built = path.join(distDir, 'config');
  if (!fs.existsSync(built)) return true;
  const compiledAt = newestIn(built);
  const sources = [path.join(appDir, 'src'), path.join(appDir, 'config')];
  return fs.statSync(path.join(appDir, 'tsconfig.json')).mtimeMs > compiledAt || sources.some((dir) => newestIn(dir) > compiledAt);
};

export const bootStrapi = async ({ appDir, debug }: BootOptions): Promise<Core.Strapi> => {
  if (!fs.existsSync(path.join(appDir, 'package.json')) || !fs.existsSync(path.join(appDir, 'config'))) {
    throw new CliError(`${appDir} is not a Strapi app directory (no package.json and config/); use --app-dir DIR`);
  }
  // Into the app before Strapi is first required: @strapi/core loads the `.env` of the working
  // directory (or ENV_PATH) when its configuration module loads, without overriding variables
  // already set, exactly as under `strapi start` in that directory. From elsewhere, the app's
  // `.env` would be missed and the `.env` of wherever the operator stands read instead.
  process.chdir(appDir);
  // The app's own copy of Strapi, never one the plugin might carry.
  let strapiModule: any;
  try {
    strapiModule = require(require.resolve('@strapi/strapi', { paths: [appDir] }));
  } catch {
    throw new CliError(`@strapi/strapi is not installed in ${appDir}; run npm install there first`);
  }
  const { createStrapi, compileStrapi } = strapiModule;
  // Commands that only read must not claim jobs; `run --wait` and `worker` start one themselves.
  process.env[WORKER_OFF_ENV] = 'true';
  let distDir = appDir;
  if (fs.existsSync(path.join(appDir, 'tsconfig.json'))) {
    const tsUtils = require(require.resolve('@strapi/typescript-utils', { paths: [appDir] }));
    distDir = await tsUtils.resolveOutDir(appDir);
    // Compiling empties dist/ first: worker processes starting together would break each other's boot.
    if (isStale(appDir, distDir)) distDir = (await compileStrapi({ appDir, ignoreDiagnostics: true })).distDir;
  }
  const app: Core.Strapi = createStrapi({ appDir, distDir, autoReload: false, serveAdminPanel: false });
  logsToStderr(app, debug);
  await app.load();
  return app;
};
