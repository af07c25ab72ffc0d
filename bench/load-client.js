'use strict';
/**
 * The visitors of the benches that measure the site while it serves: the bench site served in the
 * bench's process, and a client in another process (its own work must not count) that sends R
 * requests a second to the content API, open loop, and keeps the latencies per named phase.
 */
const { spawn } = require('node:child_process');
const { loadApp } = require('../scripts/app-copy');
const { appEnv } = require('./site');

/** The client: latencies kept per phase; stats sent on 'report'. */
const CLIENT = `
const [url, token, rate] = process.argv.slice(1);
const phases = {}; let phase = 'warmup'; let running = true;
process.on('message', (m) => {
  if (m.phase) phase = m.phase;
  if (m.report) {
    running = false;
    const pct = (a, p) => a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))];
    const stats = {};
    for (const [name, list] of Object.entries(phases)) {
      const a = list.sort((x, y) => x - y);
      stats[name] = { requests: a.length, p50: pct(a, 50), p99: pct(a, 99), errors: errors[name] || 0 };
    }
    process.send(stats, () => process.exit(0));
  }
});
const errors = {};
// Open loop: a request every 1/rate s whatever the answers do, as visitors arrive.
const one = async () => {
  const started = performance.now(); const at = phase;
  const res = await fetch(url, { headers: { authorization: 'Bearer ' + token } }).catch(() => null);
  if (res) await res.arrayBuffer();
  if (!res || res.status !== 200) errors[at] = (errors[at] || 0) + 1;
  (phases[at] ||= []).push(performance.now() - started);
};
const timer = setInterval(() => { if (running) one(); else clearInterval(timer); }, 1000 / Number(rate));
`;

/** Serves the site on 127.0.0.1:`port` in this process; returns the app and its base URL. */
const serveSite = async (site, port, env = {}) => {
  const strapi = await loadApp(site.app, { ...appEnv(site), HOST: '127.0.0.1', PORT: String(port), BACKUP_DIR: site.out, ...env });
  await strapi.listen();
  return { strapi, base: `http://127.0.0.1:${port}` };
};

const VISITOR_TOKEN = 'bench visitors';

/** Sends R requests a second to `GET /api/articles` (25 per page) with a read-only API token made anew. */
const visitArticles = async (strapi, base, rate) => {
  const tokens = strapi.service('admin::api-token');
  const old = await tokens.getByName(VISITOR_TOKEN);
  if (old) await tokens.revoke(old.id); // its key cannot be read back; one token per site, not one per run
  const { accessKey } = await tokens.create({ name: VISITOR_TOKEN, type: 'read-only', lifespan: null, description: '' });
  return startLoad(`${base}/api/articles?pagination[pageSize]=25`, accessKey, rate);
};

/** Starts the client; `phase(name)` labels what follows, `report()` stops it and returns the stats. */
const startLoad = (url, token, rate) => {
  const child = spawn(process.execPath, ['-e', CLIENT, url, token, String(rate)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    phase: (name) => child.send({ phase: name }),
    report: () =>
      new Promise((resolve) => {
        child.once('message', resolve);
        child.send({ report: true });
      }),
  };
};

module.exports = { serveSite, visitArticles };
