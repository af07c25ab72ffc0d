'use strict';
/**
 * `npm run build && node bench/trigger-storm.js [--dialect sqlite|postgres|mysql] [--size N]
 *   [--requests N] [--json]`
 *
 * How fast `POST /backup/runs` answers: alone on an idle site (--idle-runs times, 11; each
 * trigger's job is cancelled and the queue empty before the next), then N (50) requests at once on
 * one profile (`cancel` behaviour: one is accepted, the others get 409 `busy`). The bench site
 * (site.js) is served in this process (`strapi start`'s server, no admin build) with an admin
 * registered once and signed in once. Targets: the idle trigger under 50 ms; the whole storm
 * answered within 1 s on PostgreSQL, 2 s elsewhere. Written to bench/results/. Never part of `npm test`.
 */
const { spawn } = require('node:child_process');
const { readOptions, siteOf, prepare, saveResults, machine, median } = require('./site');
const { serveSite } = require('./load-client');
const { ACTIVE_STATUSES } = require('../dist/shared/constants');

const PORT = 13870 + Math.floor(Math.random() * 500);
// A local bench site's admin, not a real site's secret.
const ADMIN = { email: 'bench@example.test', password: 'Bench-Password-1', firstname: 'Bench', lastname: 'Admin' };

/**
 * The client, one process for the whole bench, so the client's own work does not count: asked for
 * N, it sends N POSTs at once and answers each one's status and the time until the last answer.
 * It opens its connection and sends a POST that queues nothing first. A fresh process per run (as
 * this bench used to spawn) also timed its own fetch code being compiled: idle medians of 67-69 ms
 * on PostgreSQL read 40-56 ms with one client, the same server code (2026-12-06).
 */
const CLIENT = `
const [url, token] = process.argv.slice(1);
const headers = { authorization: 'Bearer ' + token, 'content-type': 'application/json' };
const timed = async (path, init) => {
  const started = performance.now();
  const res = await fetch(new URL(path, url), init);
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
};
process.on('message', async ({ n, profile }) => {
  if (n === undefined) return process.disconnect();
  const body = JSON.stringify(profile ? { profile } : {});
  // Where an admin request's time goes: nothing, authentication alone, then the trigger.
  const health = await timed('/_health');
  const authenticated = await timed('/backup/activity', { headers });
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, () => timed(url, { method: 'POST', headers, body })));
  process.send({ answers, ms: performance.now() - started, health: health.ms, authenticated: authenticated.ms });
});
(async () => {
  await timed('/_health');
  await timed(url, { method: 'POST', headers, body: JSON.stringify({ profile: 'warm-up, no such profile' }) });
  process.send({ ready: true });
})();
`;

/**
 * Starts the client; `storm(n, profile?)` sends n POSTs at once (for the default profile, or the
 * documentId given) and resolves with what the client measured.
 */
const startClient = (url, token) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, url, token], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`client exited ${code}`)));
    child.once('message', () =>
      resolve({
        // A client that dies mid-storm fails the bench instead of leaving it waiting for an answer.
        storm: (n, profile) =>
          new Promise((answered, failed) => {
            const exited = (code) => failed(new Error(`client exited ${code} during a storm`));
            child.once('exit', exited);
            child.once('message', (m) => {
              child.off('exit', exited);
              answered(m);
            });
            child.send({ n, profile });
          }),
        stop: () => child.send({}),
      }),
    );
  });

const adminToken = async (base) => {
  const post = (path, body) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  const registered = await post('/admin/register-admin', ADMIN);
  const token = registered.data?.token ?? (await post('/admin/login', { email: ADMIN.email, password: ADMIN.password })).data?.token;
  if (!token) throw new Error('could not sign in the bench admin');
  return token;
};

const main = async () => {
  const options = readOptions({ requests: { type: 'string', default: '50' }, 'idle-runs': { type: 'string', default: '11' } });
  const idleRuns = Number(options['idle-runs']);
  if (!Number.isInteger(idleRuns) || idleRuns < 1) {
    console.error('--idle-runs must be a whole number of at least 1');
    process.exit(2);
  }
  const site = siteOf(options);
  await prepare(site, options);
  const { strapi, base } = await serveSite(site, PORT);
  const token = await adminToken(base);
  const records = strapi.db.query('plugin::backup.record');
  const pending = { status: { $in: ACTIVE_STATUSES } };
  const settled = async () => {
    for (;;) {
      if ((await records.count({ where: pending })) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  /** Cancels what a trigger queued (a whole backup would run otherwise), then waits for the queue to empty. */
  const cancelled = async () => {
    for (const { id } of await records.findMany({ where: pending, select: ['id'] })) await strapi.plugin('backup').service('queue').cancel(id);
    await settled();
  };
  // The default profile; the first request is the warm-up (routes, policies, statements prepared).
  await settled();
  const client = await startClient(`${base}/backup/runs`, token);
  await client.storm(1);
  await cancelled();
  const idles = [];
  for (let i = 0; i < idleRuns; i += 1) {
    idles.push(await client.storm(1));
    await cancelled();
  }
  const idleMs = idles.map((run) => run.ms);
  const idle = { ms: median(idleMs), health: median(idles.map((run) => run.health)), authenticated: median(idles.map((run) => run.authenticated)) };
  // The floor under the storm: as many requests that only authenticate, validate and read one
  // profile (404), what any admin route pays before its own work.
  const floor = await client.storm(Number(options.requests), 'no such profile');
  const many = await client.storm(Number(options.requests));
  client.stop();
  await settled();
  await strapi.destroy();

  const statuses = many.answers.reduce((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
  const stormTarget = site.dialect === 'postgres' ? 1000 : 2000;
  const report = {
    date: new Date().toISOString(),
    machine: machine(),
    site: { dialect: site.dialect, size: site.size },
    idle: {
      runs: idleMs.length,
      ms: idle.ms,
      minMs: Math.min(...idleMs),
      maxMs: Math.max(...idleMs),
      statuses: idles.map((run) => run.answers[0].status),
      healthMs: idle.health,
      authenticatedMs: idle.authenticated,
      target: 50,
      met: idle.ms < 50,
    },
    storm: { requests: many.answers.length, ms: many.ms, statuses, target: stormTarget, met: many.ms <= stormTarget, floorMs: floor.ms },
  };
  const file = saveResults(report, `trigger-storm-${site.dialect}-x${site.size}`);
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(
      `\n${site.dialect}: one POST /backup/runs on an idle site, ${idleMs.length} times: median ${idle.ms.toFixed(1)} ms ` +
        `(${report.idle.minMs.toFixed(1)}-${report.idle.maxMs.toFixed(1)}; target < 50: ${report.idle.met ? 'met' : 'NOT met'}), statuses ${[...new Set(report.idle.statuses)].join(', ')}; ` +
        `beside it (medians) GET /_health ${idle.health.toFixed(1)} ms, GET /backup/activity (admin authentication) ${idle.authenticated.toFixed(1)} ms`,
    );
    console.log(
      `${many.answers.length} at once: all answered in ${many.ms.toFixed(0)} ms (target ≤ ${stormTarget}: ${report.storm.met ? 'met' : 'NOT met'}), statuses ${JSON.stringify(statuses)}; ` +
        `beside it ${floor.answers.length} at once naming no profile (404: authentication, validation, one read) ${floor.ms.toFixed(0)} ms`,
    );
  }
  console.error(`  written to ${file}`);
};

main().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
