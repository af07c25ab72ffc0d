/**
 * A test app served the way a site runs: its admin built with `strapi build`, then `strapi start`
 * as a child process on a free port of 127.0.0.1 (SQLite). What the browser tests drive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createTestApp, type TestApp } from './strapi-app';

// The package's exports hide bin/, so it is found next to its package.json.
const STRAPI_BIN = path.join(path.dirname(require.resolve('@strapi/strapi/package.json')), 'bin/strapi.js');

export interface ServedApp {
  app: TestApp;
  url: string;
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
    if (server.exitCode !== null) throw new Error(`strapi start exited ${server.exitCode}`);
    const ok = await fetch(`${url}/_health`).then((r) => r.status === 204, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}/_health did not answer within ${timeoutMs} ms`);
};

/**
 * Copies the playground, builds its admin (with this plugin's built admin), lets `prepare` touch
 * the database before the first boot, then starts it. `destroy()` stops the server (its process
 * group, so nothing it spawned survives) and deletes the app.
 */
export const serveApp = async (label: string, { env = {}, prepare }: { env?: Record<string, string>; prepare?: (app: TestApp) => Promise<void> } = {}): Promise<ServedApp> => {
  const app = await createTestApp('sqlite', label);
  const port = await freePort();
  Object.assign(app.env, env, { HOST: '127.0.0.1', PORT: String(port) });
  // The build does not touch the database, so seeding runs beside it.
  await Promise.all([strapiCommand(app, ['build'], 8 * 60_000), prepare?.(app)]);

  let output = '';
  const server = spawn(process.execPath, [STRAPI_BIN, 'start'], { cwd: app.dir, env: { ...process.env, ...app.env }, detached: true });
  server.stdout!.on('data', (d) => (output = (output + d).slice(-20000)));
  server.stderr!.on('data', (d) => (output = (output + d).slice(-20000)));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stopServer = async () => {
    if (server.exitCode !== null || server.pid === undefined) return;
    process.kill(-server.pid, 'SIGTERM');
    const killer = setTimeout(() => server.pid && process.kill(-server.pid, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };

  try {
    await waitForHealth(url, server, 120_000);
  } catch (error) {
    await stopServer();
    await app.destroy();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    app,
    url,
    output: () => output,
    async destroy() {
      await stopServer();
      await app.destroy();
    },
  };
};

