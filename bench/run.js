'use strict';
/**
 * `npm run bench -- [--dialect sqlite|postgres|mysql] [--size N] [--json] [--only backup|restore]
 *                   [--skip-strapi] [--reseed]`
 *
 * Times a backup and a restore of the bench site (site.js) against what an operator of that engine
 * would run instead (baselines.js), on the same data, in the same run, and prints one table: each
 * row's seconds, its ratio (baseline / ours: how many times faster ours is), the target, and peak
 * RSS. Ours: the service (a queued job in a booted app, with its RSS growth over the booted app),
 * the database-only backup (a profile without uploads or project files), and the CLI's wall time
 * including Strapi's boot. The figures also go to bench/results/<time>-<dialect>-x<size>.json
 * (`--json` prints that JSON instead of the table). Never part of `npm test`.
 */
const fs = require('node:fs');
const path = require('node:path');
const {
  CLI,
  readOptions,
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
const { restoreInputs, backupBaselines, restoreBaselines, strapiExport, strapiImport } = require('./baselines');

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

const ours = (section, key, name, job) => ({
  section,
  key,
  name,
  seconds: job.seconds,
  peak: job.peak,
  rssGrowth: job.rssGrowth,
  output: job.record.archiveSize ? Number(job.record.archiveSize) : null,
});
const baseline = (site, section, b) => {
  const timed = timeCommand(site, b.command, appEnv(site));
  const output = b.output && fs.existsSync(path.join(site.app, b.output)) ? fs.statSync(path.join(site.app, b.output)).size : null;
  return { section, name: b.name, vs: b.vs, target: b.target ?? null, seconds: timed.seconds, peak: timed.peak, output };
};

async function backupSection(site, options, rows) {
  const full = await timeJob(site, backupWith(null));
  rows.push(ours('backup', 'backup', 'ours: backup (service)', full));
  const archive = { file: path.join(site.out, full.record.archiveFile), record: full.record };
  if (options.only === 'restore') return archive; // the restore's archive is all it needs
  rows.push(ours('backup', 'database', 'ours: database only (service)', await timeJob(site, backupWith('bench: database only'))));
  const cli = timeCommand(site, `node ${CLI} run --wait --json > /dev/null`);
  rows.push({ section: 'backup', name: 'ours: backup (CLI, with boot)', vs: 'backup', seconds: cli.seconds, peak: cli.peak, output: null });
  for (const b of backupBaselines(site)) rows.push(baseline(site, 'backup', b));
  if (!options['skip-strapi']) rows.push(baseline(site, 'backup', strapiExport(site)));
  return archive;
}

async function restoreSection(site, options, archive, rows) {
  timeCommand(site, restoreInputs(site));
  rows.push(ours('restore', 'restore', 'ours: restore of the record (service)', await timeJob(site, restoreFrom(archive.record, false))));
  rows.push(ours('restore', null, '  … of the archive file (no recorded sha256)', await timeJob(site, restoreFrom(archive.file, false))));
  rows.push(ours('restore', null, '  … with its safety backup first', await timeJob(site, restoreFrom(archive.record, true))));
  const cli = timeCommand(site, `node ${CLI} restore --file ${archive.file} --yes --no-safety-backup --json > /dev/null`);
  rows.push({ section: 'restore', name: 'ours: restore (CLI, with boot)', vs: 'restore', seconds: cli.seconds, peak: cli.peak, output: null });
  for (const b of restoreBaselines(site)) rows.push(baseline(site, 'restore', b));
  if (!options['skip-strapi']) {
    if (!fs.existsSync(path.join(site.out, 'export.tar.gz'))) timeCommand(site, strapiExport(site).command, appEnv(site));
    rows.push(baseline(site, 'restore', strapiImport));
    // strapi import replaced the content (and our records): the site comes back from our archive.
    await timeJob(site, restoreFrom(archive.file, false));
  }
}

/** Ratio baseline / ours, and whether the target is met. */
const withRatios = (rows) => {
  const ourSeconds = Object.fromEntries(rows.filter((r) => r.key).map((r) => [r.key, r.seconds]));
  return rows.map((r) => {
    const against = r.vs && ourSeconds[r.vs];
    const ratio = against ? r.seconds / against : null;
    return { ...r, ratio, met: r.target != null && ratio != null ? ratio >= r.target : null };
  });
};

const printTable = (report) => {
  const { site, data } = report;
  console.log(
    `\n${site.dialect}, size x${site.size}: ${data.articles} articles, database ${mb(data.databaseBytes)}, uploads ${mb(data.uploadsBytes)}; ${report.machine.cpus} × ${report.machine.cpu}`,
  );
  console.log(['what'.padEnd(44), 'seconds'.padStart(8), 'ratio'.padStart(8), 'target'.padStart(14), '  peak RSS'.padEnd(30), 'output'].join(' '));
  for (const r of report.rows) {
    const target = r.target == null ? '' : `≥ ${r.target}x ${r.met ? 'met' : 'NOT met'}`;
    const rss = r.rssGrowth != null ? `${mb(r.peak)} (+${mb(r.rssGrowth)})` : mb(r.peak);
    console.log(
      [
        r.name.padEnd(44),
        r.seconds.toFixed(2).padStart(8),
        (r.ratio == null ? '' : `${r.ratio.toFixed(2)}x`).padStart(8),
        target.padStart(14),
        `  ${rss}`.padEnd(30),
        r.output ? mb(r.output) : '',
      ].join(' '),
    );
  }
};

const main = async () => {
  const options = readOptions({ only: { type: 'string' }, 'skip-strapi': { type: 'boolean', default: false } });
  const site = siteOf(options);
  const steps = {};
  let started = Date.now();
  await prepare(site, options);
  steps.prepare = (Date.now() - started) / 1000;
  fs.rmSync(site.out, { recursive: true, force: true });
  fs.mkdirSync(site.out, { recursive: true });
  const rows = [];
  started = Date.now();
  const archive = await backupSection(site, options, rows);
  steps.backup = (Date.now() - started) / 1000;
  if (options.only !== 'backup') {
    started = Date.now();
    await restoreSection(site, options, archive, rows);
    steps.restore = (Date.now() - started) / 1000;
  }
  const report = {
    date: new Date().toISOString(),
    machine: machine(),
    site: { dialect: site.dialect, size: site.size },
    data: { ...options.shape, databaseBytes: await databaseBytes(site), uploadsBytes: dirSize(site.uploads) },
    steps,
    rows: withRatios(options.only === 'restore' ? rows.filter((r) => r.section === 'restore') : rows),
  };
  const file = saveResults(report, `${site.dialect}-x${site.size}`);
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else printTable(report);
  console.error(
    `\n  steps: ${Object.entries(steps)
      .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
      .join(', ')}; written to ${file}`,
  );
  fs.rmSync(site.out, { recursive: true, force: true });
};

main().catch((error) => {
  console.error(`bench failed: ${error.message}`);
  process.exit(1);
});
