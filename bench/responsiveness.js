'use strict';
/**
 * `npm run build && node bench/responsiveness.js [--dialect sqlite|postgres|mysql] [--size N]
 *   [--rate R] [--idle-seconds S] [--json]`
 *
 * How a running backup affects the site's visitors: the bench site (site.js) is served in this
 * process, a client in another process sends R requests a second (open loop) to the content API
 * (`GET /api/articles`, 25 per page, with a read-only API token), and this process's event-loop
 * delay is sampled (perf_hooks.monitorEventLoopDelay). Phases: idle (S seconds), then during a
 * full backup of the site, then idle again. Printed per phase: requests, latency p50 / p99,
 * event-loop delay p50 / p99 / max, against the targets (event-loop p99 under 50 ms during the
 * backup; latency p50 within 20 % of idle). Written to bench/results/. Never part of `npm test`.
 */
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { readOptions, siteOf, prepare, saveResults, machine } = require('./site');
const { serveSite, visitArticles } = require('./load-client');

const PORT = 13370 + Math.floor(Math.random() * 500);
const ms = (ns) => ns / 1e6;

const main = async () => {
  const options = readOptions({
    rate: { type: 'string', default: '20' },
    'idle-seconds': { type: 'string', default: '10' },
  });
  const site = siteOf(options);
  await prepare(site, options);
  const { strapi, base } = await serveSite(site, PORT);
  const client = await visitArticles(strapi, base, options.rate);
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const loop = {};
  const phase = async (name, during) => {
    client.phase(name);
    histogram.reset();
    const started = Date.now();
    await during();
    loop[name] = { seconds: (Date.now() - started) / 1000, p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
  };
  const pause = (seconds) => () => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const idle = Number(options['idle-seconds']);

  await phase('warmup', pause(3));
  await phase('idle', pause(idle));
  await phase('backup', async () => {
    const service = (name) => strapi.plugin('backup').service(name);
    const asked = await service('queue').enqueue({ profile: await service('profiles').resolve(), kind: 'backup', trigger: 'api' });
    if (!asked.accepted) throw new Error(asked.message);
    for (let r = asked.record; !['completed', 'failed', 'cancelled'].includes(r.status); r = await service('records').findById(asked.record.id)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  await phase('idle after', pause(idle));
  const requests = await client.report();
  histogram.disable();
  await strapi.destroy();

  const rows = ['idle', 'backup', 'idle after'].map((name) => ({ phase: name, ...loop[name], latency: requests[name] }));
  const idleP50 = requests.idle.p50;
  const targets = {
    eventLoopP99UnderMs: { target: 50, value: loop.backup.p99, met: loop.backup.p99 < 50 },
    latencyP50WithinOfIdle: { target: 1.2, value: requests.backup.p50 / idleP50, met: requests.backup.p50 <= 1.2 * idleP50 },
  };
  const report = {
    date: new Date().toISOString(),
    machine: machine(),
    site: { dialect: site.dialect, size: site.size },
    rate: Number(options.rate),
    rows,
    targets,
  };
  const file = saveResults(report, `responsiveness-${site.dialect}-x${site.size}`);
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`\n${site.dialect} x${site.size}, ${options.rate} requests a second on GET /api/articles (25 per page)`);
    console.log(
      [
        'phase'.padEnd(12),
        'seconds'.padStart(8),
        'requests'.padStart(9),
        'errors'.padStart(7),
        'p50 ms'.padStart(8),
        'p99 ms'.padStart(8),
        '  loop p50'.padStart(10),
        'loop p99'.padStart(9),
        'loop max'.padStart(9),
      ].join(' '),
    );
    for (const r of rows) {
      console.log(
        [
          r.phase.padEnd(12),
          r.seconds.toFixed(1).padStart(8),
          String(r.latency.requests).padStart(9),
          String(r.latency.errors).padStart(7),
          r.latency.p50.toFixed(1).padStart(8),
          r.latency.p99.toFixed(1).padStart(8),
          r.p50.toFixed(1).padStart(10),
          r.p99.toFixed(1).padStart(9),
          r.max.toFixed(1).padStart(9),
        ].join(' '),
      );
    }
    console.log(
      `event-loop delay p99 during the backup ${loop.backup.p99.toFixed(1)} ms (target < 50: ${targets.eventLoopP99UnderMs.met ? 'met' : 'NOT met'}); ` +
        `latency p50 during / idle ${targets.latencyP50WithinOfIdle.value.toFixed(2)}x (target ≤ 1.2: ${targets.latencyP50WithinOfIdle.met ? 'met' : 'NOT met'})`,
    );
  }
  console.error(`  written to ${file}`);
};

main().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
