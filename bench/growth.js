'use strict';
/**
 * `npm run bench:growth -- [--dialect sqlite|postgres|mysql] [--sizes 1,5] [--json]`
 *
 * How the cost grows with the site: a backup and a restore of the bench site at each size (site.js),
 * with the same engine's own tools on the same data as the baseline, and peak RSS growth over the
 * booted app. Time should grow at most linearly with the data (seconds per GB stays flat, within
 * LINEAR_SLACK), and RSS growth should stay under RSS_LIMIT at every size (the archive and the
 * restore are meant to stream: a growth that follows the site's size says something is held).
 * Never part of `npm test`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const {
  DIALECTS,
  shapeOf,
  siteOf,
  prepare,
  databaseBytes,
  appEnv,
  timeCommand,
  timeJob,
  backupWith,
  restoreFrom,
  dirSize,
  saveResults,
  machine,
} = require('./site');
const { backupBaselines, restoreInputs, restoreBaselines } = require('./baselines');

const RSS_LIMIT = 150 * 1048576;
/** Seconds per GB may grow this much from the smallest size to the largest and still count as linear. */
const LINEAR_SLACK = 1.15;
const GB = 1024 ** 3;
const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MB`;

const readGrowthOptions = () => {
  const { values } = parseArgs({
    options: { dialect: { type: 'string', default: 'sqlite' }, sizes: { type: 'string', default: '1,5' }, json: { type: 'boolean', default: false } },
  });
  const sizes = values.sizes.split(',').map(Number);
  if (!DIALECTS.includes(values.dialect) || sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 10)) {
    console.error(`--dialect must be one of ${DIALECTS.join(', ')} and --sizes at least two whole numbers from 1 to 10, e.g. 1,5`);
    process.exit(2);
  }
  return { dialect: values.dialect, sizes: [...new Set(sizes)].sort((a, b) => a - b), json: values.json };
};

/** One size: seed (or reuse) the site, then time ours and the engine's tools on it. */
const measure = async (dialect, size) => {
  const site = siteOf({ dialect, size });
  const shape = shapeOf(size);
  await prepare(site, { shape, reseed: false });
  fs.rmSync(site.out, { recursive: true, force: true });
  fs.mkdirSync(site.out, { recursive: true });
  try {
    const bytes = (await databaseBytes(site)) + dirSize(site.uploads);
    const backup = await timeJob(site, backupWith(null));
    const [tool] = backupBaselines(site).filter((b) => b.vs === 'backup');
    const toolBackup = timeCommand(site, tool.command, appEnv(site));
    timeCommand(site, restoreInputs(site), appEnv(site));
    const restore = await timeJob(site, restoreFrom(path.join(site.out, backup.record.archiveFile), false));
    const [toolRestore] = restoreBaselines(site);
    const restoreTool = timeCommand(site, toolRestore.command, appEnv(site));
    const row = (job) => ({ seconds: job.seconds, perGB: job.seconds / (bytes / GB), rssGrowth: job.rssGrowth ?? null, peak: job.peak });
    return {
      size,
      articles: shape.articles,
      bytes,
      backup: row(backup),
      backupTool: { name: tool.name, ...row(toolBackup) },
      restore: row(restore),
      restoreTool: { name: toolRestore.name, ...row(restoreTool) },
    };
  } finally {
    fs.rmSync(site.out, { recursive: true, force: true });
  }
};

/** Linear: seconds per GB at the largest size within LINEAR_SLACK of the smallest's. */
const verdicts = (sizes) => {
  const [first, last] = [sizes[0], sizes[sizes.length - 1]];
  const growth = (key) => last[key].perGB / first[key].perGB;
  const rss = (key) => Math.max(...sizes.map((s) => s[key].rssGrowth));
  return ['backup', 'restore'].map((key) => ({
    job: key,
    perGBGrowth: growth(key),
    linear: growth(key) <= LINEAR_SLACK,
    toolPerGBGrowth: growth(`${key}Tool`),
    maxRssGrowth: rss(key),
    rssMet: rss(key) < RSS_LIMIT,
  }));
};

const printTable = (report) => {
  console.log(`\n${report.dialect}: ${report.machine.cpus} × ${report.machine.cpu}`);
  console.log(
    ['size', 'articles', 'data', '', 'seconds', 's/GB', 'RSS +growth (peak)', '', 'baseline']
      .map((h, i) => (i < 3 ? h.padEnd(10) : h.padStart(i === 6 ? 20 : 10)))
      .join(' '),
  );
  for (const s of report.sizes) {
    for (const key of ['backup', 'restore']) {
      const ours = s[key];
      const tool = s[`${key}Tool`];
      console.log(
        [
          `x${s.size}`.padEnd(10),
          String(s.articles).padEnd(10),
          mb(s.bytes).padEnd(10),
          key.padStart(10),
          ours.seconds.toFixed(1).padStart(10),
          ours.perGB.toFixed(2).padStart(10),
          `+${mb(ours.rssGrowth)} (${mb(ours.peak)})`.padStart(20),
          '',
          `${tool.name}: ${tool.seconds.toFixed(1)} s, ${tool.perGB.toFixed(2)} s/GB`,
        ].join(' '),
      );
    }
  }
  for (const v of report.verdicts) {
    console.log(
      `${v.job}: s/GB grew ${v.perGBGrowth.toFixed(2)}x (baseline ${v.toolPerGBGrowth.toFixed(2)}x; linear is ≤ ${LINEAR_SLACK}x) ${v.linear ? 'met' : 'NOT met'}; ` +
        `largest RSS growth ${mb(v.maxRssGrowth)} (< ${mb(RSS_LIMIT)}) ${v.rssMet ? 'met' : 'NOT met'}`,
    );
  }
};

const main = async () => {
  const options = readGrowthOptions();
  const sizes = [];
  for (const size of options.sizes) {
    const started = Date.now();
    sizes.push(await measure(options.dialect, size));
    console.error(`  x${size}: ${((Date.now() - started) / 1000).toFixed(0)} s with seeding`);
  }
  const report = { date: new Date().toISOString(), machine: machine(), dialect: options.dialect, sizes, verdicts: verdicts(sizes) };
  const file = saveResults(report, `${options.dialect}-growth`);
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else printTable(report);
  console.error(`\n  written to ${file}`);
};

main().catch((error) => {
  console.error(`bench failed: ${error.message}`);
  process.exit(1);
});
