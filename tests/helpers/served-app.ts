/**
 * A test app served by Strapi's own commands as a child process on a free port of 127.0.0.1
 * (SQLite): the way a site runs (`strapi build` then `strapi start`, what the browser tests drive),
 * or the way a developer runs it (`strapi develop`, with its file watcher).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TEST_APPS_DIR, WATCHED_APPS_DIR, createTestApp, type TestApp } from './strapi-app';

const REPO_ROOT = path.resolve(__dirname, '../..');

// The package's exports hide bin/, so it is found next to its package.json.
const STRAPI_BIN = path.join(path.dirname(require.resolve('@strapi/strapi/package.json')), 'bin/strapi.js');

export interface ServedApp {
  app: TestApp;
  url: string;
  /** The process started (under `strapi develop`, the cluster primary, not the server). */
  pid: number;
  /** What the server printed, for failure messages. */
  output(): string;
  destroy(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** Runs `strapi <args>` in the app; resolves when it exits 0, rejects with its output otherwise. */
const strapiCommand = (app: TestApp, args: string[], timeoutMs: number) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [STRAPI_BIN, ...args], { cwd: app.dir, env: { ...process.env, ...app.env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`strapi ${args.join(' ')} exited ${code}\n${output.slice(-4000)}`));
    });
  });

const waitForHealth = async (url: string, server: ChildProcess, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`strapi exited ${server.exitCode}`);
    const ok = await fetch(`${url}/_health`).then(
      (r) => r.status === 204,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}/_health did not answer within ${timeoutMs} ms`);
};

/**
 * Runs `strapi <args>` in the app, in a process group of its own, and waits for `/_health`.
 * `destroy()` stops the group (so nothing it spawned survives) and deletes the app.
 */
const startServer = async (app: TestApp, args: string[]): Promise<ServedApp> => {
  let output = '';
  const server = spawn(process.execPath, [STRAPI_BIN, ...args], { cwd: app.dir, env: { ...process.env, ...app.env }, detached: true });
  server.stdout!.on('data', (d) => (output = (output + d).slice(-20000)));
  server.stderr!.on('data', (d) => (output = (output + d).slice(-20000)));
  let stopping = false;
  let booted = false;
  const exited = new Promise<void>((resolve) =>
    server.once('exit', (code, signal) => {
      // A server that dies under a test fails it with "fetch failed" and nothing more: say why.
      // (One that dies while booting fails the boot, whose error carries the same output.)
      if (!stopping && booted)
        process.stderr.write(`\n[served app ${path.basename(app.dir)}] exited on its own (code ${code}, signal ${signal}); its last output:\n${output}\n`);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${app.env.PORT}`;

  const stopServer = async () => {
    stopping = true;
    if (server.exitCode !== null || server.pid === undefined) return;
    process.kill(-server.pid, 'SIGTERM');
    const killer = setTimeout(() => server.pid && process.kill(-server.pid, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };

  try {
    await waitForHealth(url, server, 120_000);
    booted = true;
  } catch (error) {
    await stopServer();
    await app.destroy();
    throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
  }
  return {
    app,
    url,
    pid: server.pid!,
    output: () => output,
    async destroy() {
      await stopServer();
      await app.destroy();
    },
  };
};

/**
 * The plugin as npm publishes it: `npm pack` of this (built) repository, unpacked into `dir`, where
 * its dependencies resolve up the tree to the repository's node_modules as they would in a site's.
 * A file the server or the admin needs but package.json's `files` leaves out fails the app that loads it.
 */
const unpackPlugin = (dir: string): string => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // The build is npm test's own step; --ignore-scripts skips the prepack that would run it again.
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO_ROOT, encoding: 'utf8' });
  const [{ filename }] = JSON.parse(packed) as { filename: string }[];
  execFileSync('tar', ['xzf', path.join(dir, filename), '-C', dir]);
  return path.join(dir, 'package');
};

/**
 * Copies the playground, points it at the plugin unpacked from `npm pack`, builds its admin, lets
 * `prepare` touch the database before the first boot, then starts it with `strapi start`.
 */
export const serveApp = async (
  label: string,
  { env = {}, prepare }: { env?: Record<string, string>; prepare?: (app: TestApp) => Promise<void> } = {},
): Promise<ServedApp> => {
  const app = await createTestApp('sqlite', label);
  const plugin = unpackPlugin(path.join(TEST_APPS_DIR, `${label}-packed-plugin`));
  Object.assign(app.env, env, { HOST: '127.0.0.1', PORT: String(await freePort()), BACKUP_PLUGIN_ROOT: plugin });
  // The build does not touch the database, so seeding runs beside it.
  await Promise.all([strapiCommand(app, ['build'], 8 * 60_000), prepare?.(app)]);
  return startServer(app, ['start']);
};

/** Two of the patterns Strapi 5.54's develop watcher always ignores: it would watch nothing there. */
const watcherIgnores = (dir: string) => /tmp/.test(dir) || /(^|[/\\])\./.test(dir);

/**
 * Where a watched app can live: tests/watched-apps, unless the checkout's own path has a segment
 * the watcher ignores (a clone under /tmp, as CI may make); then a folder of the home directory.
 */
const watchedAppsDir = (): { parentDir: string; outsideRepo: boolean } => {
  if (!watcherIgnores(WATCHED_APPS_DIR)) return { parentDir: WATCHED_APPS_DIR, outsideRepo: false };
  const home = path.join(os.homedir(), 'strapi-plugin-backup-watched-apps');
  if (watcherIgnores(home)) throw new Error(`strapi develop would ignore both ${WATCHED_APPS_DIR} and ${home}: no place to host a watched app`);
  return { parentDir: home, outsideRepo: true };
};

/**
 * Copies the playground where `strapi develop`'s watcher sees it (not under tests/.tmp) and runs
 * `strapi develop` without building or watching the admin (that would add ~35 s): the server and
 * its file watcher, in a cluster worker that the primary (`pid`) forks again on every restart.
 */
export const developApp = async (label: string): Promise<ServedApp> => {
  const { parentDir, outsideRepo } = watchedAppsDir();
  const app = await createTestApp('sqlite', label, { parentDir });
  if (outsideRepo) {
    // Out of the repository, the copy finds Strapi and the plugin only through these.
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(app.dir, 'node_modules'), 'dir');
    app.env.BACKUP_PLUGIN_ROOT = REPO_ROOT;
  }
  Object.assign(app.env, { HOST: '127.0.0.1', PORT: String(await freePort()), NODE_ENV: 'development' });
  // Under develop Strapi opens a browser on the admin until one is registered; not in a test.
  fs.mkdirSync(path.join(app.dir, 'config/env/development'), { recursive: true });
  fs.writeFileSync(path.join(app.dir, 'config/env/development/admin.js'), 'module.exports = { autoOpen: false };\n');
  return startServer(app, ['develop', '--no-watch-admin', '--no-build-admin', '--no-install-deps']);
};
