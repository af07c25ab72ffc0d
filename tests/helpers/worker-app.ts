/**
 * The multi-process suites' fixture (schedule, workers): an app booted with its own worker off and
 * short test timings, and the worker processes spawned from it, all killed when the suite ends.
 */
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { createTestApp, type TestApp } from './strapi-app';
import type { TestDialect } from './databases';

export interface WorkerApp {
  /** The booted app (from beforeAll on). */
  readonly app: TestApp;
  /** Every worker process spawned so far. */
  readonly workers: ChildProcess[];
  spawnWorker(stdio?: StdioOptions): ChildProcess;
}

/** Call inside a describe: boots the app in its beforeAll, and ends workers and app in its afterAll. */
export const withWorkerApp = (dialect: TestDialect, label: string, env: Record<string, string> = {}): WorkerApp => {
  let booted: TestApp | undefined;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    booted = await createTestApp(dialect, label);
    Object.assign(booted.env, { BACKUP_WORKER: 'false', BACKUP_HEARTBEAT_MS: '500', BACKUP_POLL_MS: '200', ...env });
    await booted.boot();
  }, 120000);
  afterAll(async () => {
    for (const child of workers) child.kill('SIGKILL');
    await booted?.destroy();
  });
  const fixture: WorkerApp = {
    get app() {
      if (!booted) throw new Error('the worker app boots in beforeAll');
      return booted;
    },
    workers,
    spawnWorker(stdio) {
      const child = fixture.app.spawnWorker(stdio);
      workers.push(child);
      return child;
    },
  };
  return fixture;
};
