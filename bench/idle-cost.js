'use strict';
/**
 * `npm run build && node bench/idle-cost.js [--dialect sqlite|postgres|mysql] [--rounds N]
 *   [--seconds S] [--rate R] [--json]`
 *
 * What an idle plugin costs the site's visitors: the content API's latency with the plugin enabled
 * and with it disabled (`BACKUP_PLUGIN_ENABLED=false`, the same app otherwise), R requests a
 * second for S seconds after a warm-up, in N rounds that alternate the two (so a drift of the
 * machine falls on both). Target: the median p50 with the plugin within 3 % of the one without.
 * Disabling the plugin makes Strapi drop its tables (a bench site's records are lost, its default
 * profile comes back). Written to bench/results/. Never part of `npm test`.
 */
const { readOptions, siteOf, prepare, saveResults, machine, median } = require('./site');
const { serveSite, visitArticles } = require('./load-client');

let port = 14370 + Math.floor(Math.random() * 500);

const measure = async (site, enabled, seconds, rate) => {
  const { strapi, base } = await serveSite(site, (port += 1), { BACKUP_PLUGIN_ENABLED: String(enabled) });
  if (Boolean(strapi.plugin('backup')) !== enabled) throw new Error(`the plugin is ${enabled ? 'not ' : ''}loaded`);
  const client = await visitArticles(strapi, base, rate);
  const pause = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));
  await pause(3);
  client.phase('measured');
  await pause(seconds);
  const stats = (await client.report()).measured;
  await strapi.destroy();
  return stats;
};

const main = async () => {
  const options = readOptions({
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '15' },
    rate: { type: 'string', default: '20' },
  });
  const site = siteOf(options);
  await prepare(site, options);
  const runs = { with: [], without: [] };
  for (let round = 0; round < Number(options.rounds); round += 1) {
    for (const enabled of round % 2 ? [false, true] : [true, false]) {
      runs[enabled ? 'with' : 'without'].push(await measure(site, enabled, Number(options.seconds), options.rate));
    }
  }
  const p50 = { with: median(runs.with.map((r) => r.p50)), without: median(runs.without.map((r) => r.p50)) };
  const ratio = p50.with / p50.without;
  const report = {
    date: new Date().toISOString(),
    machine: machine(),
    site: { dialect: site.dialect, size: site.size },
    rate: Number(options.rate),
    runs,
    p50,
    ratio,
    target: 1.03,
    met: ratio <= 1.03,
  };
  const file = saveResults(report, `idle-cost-${site.dialect}-x${site.size}`);
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(
      `\n${site.dialect}: GET /api/articles at ${options.rate}/s, median p50 of ${options.rounds} rounds: ` +
        `${p50.with.toFixed(2)} ms with the plugin, ${p50.without.toFixed(2)} ms without: ${ratio.toFixed(3)}x (target ≤ 1.03: ${report.met ? 'met' : 'NOT met'})`,
    );
    for (const key of ['with', 'without'])
      console.log(
        `  ${key.padEnd(8)} p50 ${runs[key].map((r) => r.p50.toFixed(2)).join(', ')} ms; p99 ${runs[key].map((r) => r.p99.toFixed(1)).join(', ')} ms`,
      );
  }
  console.error(`  written to ${file}`);
};

main().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
