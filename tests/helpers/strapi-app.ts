/**
 * A real Strapi app for integration tests: a copy of the playground (config, content types,
 * components) under tests/.tmp, on its own throw-away database, booted in this process without
 * an HTTP server, and reachable by the real CLI binary.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import type { Services } from '../../server/src/services';
import { getService } from '../../server/src/utils';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/strapi-backup.js');
const { freshSecrets } = require(path.join(ROOT, 'scripts/app-env.js'));
const { copyPlayground, loadApp } = require(path.join(ROOT, 'scripts/app-copy.js'));
export const { seedContent, poolIdle } = require(path.join(ROOT, 'scripts/seed-content.js'));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  timeoutMs?: number;
  /** The working directory of the process (default: the app's directory). */
  cwd?: string;
  /**
   * false: the process gets none of the app's variables nor any Strapi, database or backup
   * variable of this one, as in an operator's fresh shell; only the app's `.env` can supply them.
   */
  appEnv?: boolean;
  /** Variables set on top, as an operator's `export` would. */
  env?: Record<string, string>;
}

/** Variables an app reads from its `.env`: Strapi's secrets, database, server and this plugin's. */
const APP_VARIABLE = /^(APP_KEYS|API_TOKEN_SALT|ADMIN_|TRANSFER_TOKEN_SALT|JWT_SECRET|ENCRYPTION_KEY|DATABASE_|BACKUP_|STRAPI_|HOST$|PORT$|ENV_PATH$)/;

export interface TestApp {
  dialect: TestDialect;
  dir: string;
  db: TestDatabase;
  env: Record<string, string>;
  strapi: Core.Strapi;
  /** `compile: false` boots the last compiled dist/, for boots where no source file changed. */
  boot(options?: { compile?: boolean }): Promise<Core.Strapi>;
  stop(): Promise<void>;
  /** Stops the app, drops its database and deletes its directory. */
  destroy(): Promise<void>;
  cli(args: string[], options?: CliOptions): Promise<CliResult>;
  /** A real `strapi-backup worker` process on this app (callers stop or kill it). */
  spawnWorker(stdio?: StdioOptions, args?: string[]): ChildProcess;
  backupsDir: string;
}

const databaseEnv = (db: TestDatabase): Record<string, string> => {
  const c = db.strapi.connection as Record<string, string | number>;
  if ('filename' in c) return { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: String(c.filename) };
  return {
    DATABASE_CLIENT: db.strapi.client,
    DATABASE_HOST: String(c.host),
    DATABASE_PORT: String(c.port),
    DATABASE_NAME: String(c.database),
    DATABASE_USERNAME: String(c.user),
    DATABASE_PASSWORD: String(c.password),
  };
};

/** Where test apps live. `strapi develop` watches nothing under it (its watcher ignores any path with "tmp" or a dot segment). */
export const TEST_APPS_DIR = path.join(ROOT, 'tests/.tmp');
/** For apps that `strapi develop` must watch: a path with no "tmp" and no dot segment in it. */
export const WATCHED_APPS_DIR = path.join(ROOT, 'tests/watched-apps');

export const createTestApp = async (dialect: TestDialect, label: string, { parentDir = TEST_APPS_DIR }: { parentDir?: string } = {}): Promise<TestApp> => {
  const dir = path.join(parentDir, `${label}-${dialect}-${randomBytes(3).toString('hex')}`);
  const db = await createTestDatabase(dialect, `backup_it_${label.replace(/\W/g, '_')}`);
  const env: Record<string, string> = {
    ...freshSecrets(),
    ...databaseEnv(db),
    ADMIN_RATE_LIMIT: 'false',
    BACKUP_DIR: path.join(dir, 'backups'),
    STRAPI_TELEMETRY_DISABLED: 'true',
  };
  copyPlayground(dir, env);

  let instance: Core.Strapi | null = null;
  const app: TestApp = {
    dialect,
    dir,
    db,
    env,
    backupsDir: env.BACKUP_DIR,
    get strapi() {
      if (!instance) throw new Error('the test app is not booted');
      return instance;
    },
    async boot(options = {}) {
      instance = await loadApp(dir, env, options);
      return instance!;
    },
    async stop() {
      if (instance) await instance.destroy();
      instance = null;
    },
    async destroy() {
      await app.stop();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    spawnWorker(stdio = 'ignore', args = []) {
      return spawn(process.execPath, [CLI, 'worker', ...args], { cwd: dir, env: { ...process.env, ...env }, stdio });
    },
    cli(args, { timeoutMs = 90000, cwd = dir, appEnv = true, env: extra = {} } = {}) {
      // This process carries the app's variables once it has booted the app (loadApp sets them).
      const inherited = appEnv
        ? { ...process.env, ...env }
        : Object.fromEntries(Object.entries(process.env).filter(([key]) => !(key in env) && !APP_VARIABLE.test(key)));
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...inherited, ...extra } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`strapi-backup ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
        }, timeoutMs);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    },
  };
  return app;
};

/**
 * The plugin's services of a test's app, typed as the server's `getService` types them. `strapi`
 * is read at each call, so a suite can define its helper before `beforeAll` boots the app.
 */
export const servicesOf =
  (strapi: () => Core.Strapi) =>
  <Name extends keyof Services>(name: Name): ReturnType<Services[Name]> =>
    getService(strapi(), name);
