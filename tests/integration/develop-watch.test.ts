/**
 * `strapi develop` watches the app directory and restarts the server on any file event. A backup
 * writes its archive (and `.partial`, scratch files) into the storage directory, by default
 * `<app>/backups`: the plugin must keep all of it out of the watcher, or every backup restarts the
 * server, killing the job and logging every admin out.
 *
 * One real `strapi develop` (no admin build), a backup over HTTP, and proof that the process which
 * ran it and answers HTTP is still the first one. SQLite only: the watcher does not depend on the
 * database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/wait';
import { adminClient, type AdminClient } from '../helpers/http';
import { developApp, type ServedApp } from '../helpers/served-app';

// Lines `strapi develop` prints when its watcher sees a file (each one is followed by a restart).
const WATCHER_EVENT = /File (created|changed|deleted): .*/g;

/** Child processes of `pid` (Linux /proc): the cluster workers of `strapi develop`'s primary. */
const childrenOf = (pid: number): number[] => fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

/** When the process started, in clock ticks since boot (/proc/<pid>/stat field 22): its uptime's origin. */
const startTicks = (pid: number): string => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after it are split from its closing paren.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

describe('strapi develop', () => {
  let served: ServedApp;
  let api: AdminClient;

  beforeAll(async () => {
    served = await developApp('develop-watch');
    api = adminClient(served.url);
    await api.registerFirstAdmin();
  }, 180000);

  afterAll(async () => {
    await served?.destroy();
  });

  it('a backup into <app>/backups completes without a restart: same server process, same uptime, admin still logged in', async () => {
    const workers = childrenOf(served.pid);
    expect(workers).toHaveLength(1);
    const [server] = workers;
    const started = startTicks(server);

    const accepted = await api.request('POST', '/backup/runs', { body: {} });
    expect(accepted.status).toBe(202);
    const { documentId } = accepted.body.data;
    // A restart refuses or holds requests for a while: each poll gives up after 2 s, and the wait
    // ends without throwing so that the evidence below says what happened.
    const poll = () =>
      api.request('GET', `/backup/records/${documentId}`, { timeoutMs: 2000 }).then(
        (res) => res.body?.data,
        () => null,
      );
    let record: any = null;
    await waitFor(async () => ['completed', 'failed', 'cancelled'].includes((record = await poll())?.status), 30000, 'the backup to end').catch(
      () => undefined,
    );

    // A restart forks a new worker: another pid, or (pid reused) another start time.
    expect({
      status: record?.status,
      watcherEvents: served.output().match(WATCHER_EVENT) ?? [],
      serverProcesses: childrenOf(served.pid).map((pid) => ({ pid, started: startTicks(pid) })),
      adminSession: await api.request('GET', '/admin/users/me', { timeoutMs: 2000 }).then(
        (res) => res.status,
        (error) => String(error),
      ),
    }).toEqual({ status: 'completed', watcherEvents: [], serverProcesses: [{ pid: server, started }], adminSession: 200 });
    // The job ran in that process, and its archive sits in the directory the watcher watches.
    expect(record.worker).toBe(`${os.hostname()}:${server}`);
    expect(path.dirname(served.app.backupsDir)).toBe(served.app.dir);
    expect(fs.readdirSync(served.app.backupsDir)).toContain(record.archiveFile);

    // The watcher was watching all along: a file the app does not ignore is seen at once.
    const probe = path.join(served.app.dir, 'watch-probe.txt');
    fs.writeFileSync(probe, 'probe\n');
    await waitFor(() => served.output().includes(`File created: ${probe}`), 20000, 'the watcher to see a probe file');
  });
});
