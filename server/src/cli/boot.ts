/**
 * Boots the Strapi app of a directory without an HTTP server, with its logs on stderr so that
 * stdout carries only what the command prints (and only JSON with --json).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { WORKER_OFF_ENV } from '../../../shared/constants';
import { BootError, CliError } from './errors';

export interface BootOptions {
  appDir: string;
  debug: boolean;
}

const ALL_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

/** Winston console transports write to stdout by default; send every level to stderr. */
export const logsToStderr = (app: Core.Strapi, debug: boolean) => {
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

/** The app's own copy of Strapi (never one the plugin might carry), with the app's directory as cwd. */
export const strapiOf = (
  appDir: string,
): { createStrapi: (options: object) => Core.Strapi; compileStrapi: (options: object) => Promise<{ distDir: string }> } => {
  if (!fs.existsSync(path.join(appDir, 'package.json')) || !fs.existsSync(path.join(appDir, 'config'))) {
    throw new CliError(`${appDir} is not a Strapi app directory (no package.json and config/); use --app-dir DIR`);
  }
  // Into the app before Strapi is first required: @strapi/core loads the `.env` of the working
  // directory (or ENV_PATH) when its configuration module loads, without overriding variables
  // already set, exactly as under `strapi start` in that directory. From elsewhere, the app's
  // `.env` would be missed and the `.env` of wherever the operator stands read instead.
  process.chdir(appDir);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app's own copy, found at run time
    return require(require.resolve('@strapi/strapi', { paths: [appDir] }));
  } catch {
    throw new CliError(`@strapi/strapi is not installed in ${appDir}; run npm install there first`);
  }
};

/**
 * Empties a TypeScript app's compiled output but its admin build and TypeScript's incremental
 * cache, as `strapi develop` does before compiling: compiling alone never removes the output of a
 * source that is gone (a content type removed, or put back as it was by a restore), and Strapi
 * would still load it.
 */
export const clearCompiled = (distDir: string) => {
  for (const name of fs.existsSync(distDir) ? fs.readdirSync(distDir) : []) {
    if (name !== 'build' && !name.endsWith('.tsbuildinfo')) fs.rmSync(path.join(distDir, name), { recursive: true, force: true });
  }
};

/** A TypeScript app's compiled output directory; null for a JavaScript app, which runs as it is. */
export const compiledDirOf = async (appDir: string): Promise<string | null> => {
  if (!fs.existsSync(path.join(appDir, 'tsconfig.json'))) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app's own copy, found at run time
  const tsUtils = require(require.resolve('@strapi/typescript-utils', { paths: [appDir] }));
  return tsUtils.resolveOutDir(appDir);
};

/**
 * After a restore put the project files back: a TypeScript app's compiled output still holds the
 * code it replaced, which `strapi start` would run. Cleared; says what to do (empty for JavaScript).
 */
export const resetCompiled = async (appDir: string): Promise<string> => {
  const distDir = await compiledDirOf(appDir);
  if (!distDir) return '';
  clearCompiled(distDir);
  return `The compiled output of this TypeScript app (${path.relative(appDir, distDir) || distDir}/) was cleared: compile it again (npm run build) before strapi start.`;
};

/** Where the app runs from: itself, or a TypeScript app's compiled output (compiled when `compile` and stale). */
export const distDirOf = async (appDir: string, compile: ((options: object) => Promise<{ distDir: string }>) | null): Promise<string> => {
  const distDir = await compiledDirOf(appDir);
  if (!distDir) return appDir;
  // Only when stale: the output is emptied and written again, and worker processes starting
  // together would break each other's boot.
  if (compile && isStale(appDir, distDir)) {
    clearCompiled(distDir);
    return (await compile({ appDir, ignoreDiagnostics: true })).distDir;
  }
  return distDir;
};

export const bootStrapi = async ({ appDir, debug }: BootOptions): Promise<Core.Strapi> => {
  const { createStrapi, compileStrapi } = strapiOf(appDir);
  // Commands that only read must not claim jobs; `run --wait` and `worker` start one themselves.
  process.env[WORKER_OFF_ENV] = 'true';
  let app: Core.Strapi | null = null;
  try {
    const distDir = await distDirOf(appDir, compileStrapi);
    app = createStrapi({ appDir, distDir, autoReload: false, serveAdminPanel: false });
    logsToStderr(app, debug);
    await app.load();
    return app;
  } catch (error) {
    // Close what the failed boot opened (its database pool above all): the process goes on (restore).
    await app?.destroy().catch(() => undefined);
    throw new BootError(error);
  }
};
