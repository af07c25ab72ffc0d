'use strict';
/**
 * `npm run bench [-- --articles N --uploads M --large-uploads L --reseed]`
 *
 * Times a backup of a seeded, media-heavy SQLite playground against what a site owner could do
 * instead, on the same data, in the same run:
 *   - ours, the service call in a booted app (and its peak RSS growth)
 *   - ours, the CLI's wall time including Strapi's boot
 *   - `sqlite3 .backup` + `tar czf` (the usual shell script)
 *   - `tar cf` (the I/O floor: no compression, no consistency)
 *   - `strapi export --no-encrypt` (Strapi's own tool; it skips admin users, tokens…)
 * Never part of `npm test`: figures are printed, not asserted.
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

const { values: args } = parseArgs({
  options: {
    articles: { type: 'string', default: '20000' },
    uploads: { type: 'string', default: '2000' },
    'large-uploads': { type: 'string', default: '30' },
    reseed: { type: 'boolean', default: false },
  },
});
const shape = { articles: Number(args.articles), uploads: Number(args.uploads), largeUploads: Number(args['large-uploads']) };

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

/** Seeds once per shape; later runs reuse the app (seeding 20,000 articles takes minutes). */
const prepare = async () => {
  const marker = path.join(APP, 'seeded.json');
  if (!args.reseed && fs.existsSync(marker) && JSON.stringify(JSON.parse(fs.readFileSync(marker, 'utf8'))) === JSON.stringify(shape)) return;
  fs.rmSync(APP, { recursive: true, force: true });
  copyPlayground(APP, { ...freshSecrets(), DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: path.join(APP, '.tmp/data.db'), BACKUP_DIR: OUT, STRAPI_TELEMETRY_DISABLED: 'true' });
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
 * Our backup through the plugin's queue in a booted app (its own worker runs it), sampling this
 * process's RSS; the time is the record's startedAt → finishedAt.
 */
const timeService = async () => {
  const strapi = await loadApp(APP, appEnv());
  const service = (name) => strapi.plugin('backup').service(name);
  const profile = await service('profiles').resolve();
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const result = await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api' });
  if (!result.accepted) throw new Error(result.message);
  let done = result.record;
  while (!['completed', 'failed', 'cancelled'].includes(done.status)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    done = await service('records').findById(result.record.id);
  }
  clearInterval(sampler);
  await strapi.destroy();
  if (done.status !== 'completed') throw new Error(`backup ${done.status}: ${done.message}`);
  const seconds = (Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000;
  return { seconds, rssGrowth: peak - baseline, peak, size: Number(done.archiveSize) };
};

const main = async () => {
  console.log(`bench: ${shape.articles} articles, ${shape.uploads} uploads of 20 KB, ${shape.largeUploads} of 10 MB (SQLite)`);
  await prepare();
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const db = path.join(APP, '.tmp/data.db');
  console.log(`  data: database ${mb(fs.statSync(db).size)}, uploads ${mb(dirSize(path.join(APP, 'public/uploads')))}\n`);

  const rows = [];
  const service = await timeService();
  rows.push(['strapi-plugin-backup (service)', service.seconds, `${mb(service.peak)} peak RSS (+${mb(service.rssGrowth)})`, mb(service.size)]);
  const cli = timeCommand(`node ${CLI} run --wait --json > /dev/null`);
  rows.push(['strapi-plugin-backup (CLI, with boot)', cli.seconds, `${mb(cli.rss)} peak RSS`, '']);
  const shell = timeCommand(`sqlite3 ${db} ".backup ${OUT}/copy.db" && tar czf ${OUT}/site.tgz -C ${OUT} copy.db -C ${APP} public/uploads`);
  rows.push(['sqlite3 .backup + tar czf', shell.seconds, `${mb(shell.rss)} peak RSS`, mb(fs.statSync(`${OUT}/site.tgz`).size)]);
  const floor = timeCommand(`tar cf ${OUT}/floor.tar -C ${APP} .tmp/data.db public/uploads`);
  rows.push(['tar cf (I/O floor)', floor.seconds, `${mb(floor.rss)} peak RSS`, mb(fs.statSync(`${OUT}/floor.tar`).size)]);
  const exported = timeCommand(`npx strapi export --no-encrypt -f ${OUT}/export > /dev/null`, APP, appEnv());
  const exportFile = fs.readdirSync(OUT).find((f) => f.startsWith('export'));
  rows.push(['strapi export --no-encrypt', exported.seconds, `${mb(exported.rss)} peak RSS`, exportFile ? mb(fs.statSync(path.join(OUT, exportFile)).size) : '']);

  const ours = service.seconds;
  console.log(['what'.padEnd(40), 'seconds'.padStart(8), 'vs ours'.padStart(9), '  memory'.padEnd(34), 'output'].join(' '));
  for (const [name, seconds, memory, size] of rows) {
    console.log([name.padEnd(40), seconds.toFixed(2).padStart(8), `${(seconds / ours).toFixed(2)}x`.padStart(9), `  ${memory}`.padEnd(34), size].join(' '));
  }
  fs.rmSync(OUT, { recursive: true, force: true });
};

main().catch((error) => {
  console.error(`bench failed: ${error.message}`);
  process.exit(1);
});
