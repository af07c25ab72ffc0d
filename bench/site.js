'use strict';
/**
 * The bench site shared by the site benches (backup.bench.js, restore.bench.js): a seeded,
 * media-heavy SQLite copy of the playground in bench/.tmp/app, seeded once per shape (20,000
 * articles take many minutes), and how the benches time and boot it.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { freshSecrets } = require('../scripts/app-env');
const { copyPlayground, loadApp } = require('../scripts/app-copy');
const { seedContent } = require('../scripts/seed-content');

const ROOT = path.resolve(__dirname, '..');
const APP = path.join(__dirname, '.tmp/app');
const OUT = path.join(__dirname, '.tmp/out');
const CLI = path.join(ROOT, 'bin/strapi-backup.js');
const DB = path.join(APP, '.tmp/data.db');
const UPLOADS = path.join(APP, 'public/uploads');

/** `--articles N --uploads M --large-uploads L --reseed`, the site's shape. */
const readShape = () => {
  const { values: args } = parseArgs({
    options: {
      articles: { type: 'string', default: '20000' },
      uploads: { type: 'string', default: '2000' },
      'large-uploads': { type: 'string', default: '30' },
      reseed: { type: 'boolean', default: false },
    },
  });
  return { shape: { articles: Number(args.articles), uploads: Number(args.uploads), largeUploads: Number(args['large-uploads']) }, reseed: args.reseed };
};

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const dirSize = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = path.join(dir, e.name);
    return sum + (e.isDirectory() ? dirSize(p) : fs.statSync(p).size);
  }, 0);

const appEnv = () => {
  const file = path.join(APP, '.env');
  return Object.fromEntries(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
};

/** Seeds once per shape; later runs reuse the app. */
const prepare = async ({ shape, reseed }) => {
  const marker = path.join(APP, 'seeded.json');
  if (!reseed && fs.existsSync(marker) && JSON.stringify(JSON.parse(fs.readFileSync(marker, 'utf8'))) === JSON.stringify(shape)) return;
  fs.rmSync(APP, { recursive: true, force: true });
  copyPlayground(APP, { ...freshSecrets(), DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: DB, BACKUP_DIR: OUT, STRAPI_TELEMETRY_DISABLED: 'true' });
  const strapi = await loadApp(APP, appEnv());
  const started = Date.now();
  await seedContent(strapi, { ...shape, uploadSize: 20 * 1024, largeUploadSize: 10 * 1024 * 1024, log: (m) => process.stdout.write(`  seed: ${m}\r`) });
  console.log(`\n  seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await strapi.destroy();
  fs.writeFileSync(marker, JSON.stringify(shape));
};

/** Wall time of a shell command, and its peak RSS from /usr/bin/time. */
const timeCommand = (command, cwd = APP, env = {}) => {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', 'bash', '-c', command], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} failed:\n${result.stderr}`);
  const rssKb = Number(result.stderr.trim().split('\n').pop());
  return { seconds, rss: rssKb * 1024 };
};

/**
 * Runs one job through the plugin's queue in a booted app (its own worker runs it), sampling this
 * process's RSS; the time is the record's startedAt → finishedAt.
 */
const timeJob = async (enqueue) => {
  const strapi = await loadApp(APP, appEnv());
  const service = (name) => strapi.plugin('backup').service(name);
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const result = await enqueue(service);
  if (!result.accepted) throw new Error(result.message);
  let done = result.record;
  while (!['completed', 'failed', 'cancelled'].includes(done.status)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    done = await service('records').findById(result.record.id);
  }
  clearInterval(sampler);
  await strapi.destroy();
  if (done.status !== 'completed') throw new Error(`${done.kind} ${done.status}: ${done.message}`);
  return { record: done, seconds: (Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000, rssGrowth: peak - baseline, peak };
};

/** One table: name, seconds, the ratio to `oursSeconds`, memory, output. */
const printTable = (rows, oursSeconds) => {
  console.log(['what'.padEnd(44), 'seconds'.padStart(8), 'vs ours'.padStart(9), '  memory'.padEnd(34), 'output'].join(' '));
  for (const [name, seconds, memory, size] of rows) {
    console.log([name.padEnd(44), seconds.toFixed(2).padStart(8), `${(seconds / oursSeconds).toFixed(2)}x`.padStart(9), `  ${memory}`.padEnd(34), size].join(' '));
  }
};

module.exports = { APP, OUT, CLI, DB, UPLOADS, readShape, mb, dirSize, appEnv, prepare, timeCommand, timeJob, printTable };
