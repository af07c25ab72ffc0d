'use strict';
/**
 * The bench site: a seeded, media-heavy copy of the playground on one dialect, at one size, kept
 * in bench/.tmp/<dialect>-x<size>/ (and, on PostgreSQL and MariaDB, in a database of its own that
 * stays on the server between runs), so only the first run of a (dialect, size) pays the seeding.
 * Size 1 is 20,000 articles, 2,000 uploads of 20 KB and 30 of 10 MB; size N is N times each. The
 * first 2,000 articles go through Strapi; the others are copies of them made with SQL.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const createKnex = require('knex');
const { freshSecrets } = require('../scripts/app-env');
const { copyPlayground, copyPlaygroundCode, loadApp } = require('../scripts/app-copy');
const { seedContent } = require('../scripts/seed-content');
const { cloneArticles } = require('../scripts/seed-clone');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin/strapi-backup.js');
const DIALECTS = ['sqlite', 'postgres', 'mysql'];
/** Articles written through Strapi's document service; the rest are SQL copies of them (seed-clone.js). */
const TEMPLATE_ARTICLES = 2000;
const SERVERS = {
  postgres: { client: 'pg', host: '127.0.0.1', port: 5432, user: 'postgres', admin: 'postgres' },
  mysql: { client: 'mysql2', host: '127.0.0.1', port: 3306, user: 'root', admin: undefined },
};

/** What a site of size N holds (besides the 5 authors, 3 categories and 4 pages of every size). */
const shapeOf = (size) => ({ articles: 20000 * size, uploads: 2000 * size, largeUploads: 30 * size });

/** `--dialect sqlite|postgres|mysql --size N --json --reseed`, checked; a usage error exits 2. */
const readOptions = (extra = {}) => {
  const { values } = parseArgs({
    options: {
      dialect: { type: 'string', default: 'sqlite' },
      size: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      reseed: { type: 'boolean', default: false },
      ...extra,
    },
  });
  const size = Number(values.size);
  if (!DIALECTS.includes(values.dialect) || !Number.isInteger(size) || size < 1 || size > 10) {
    console.error(`--dialect must be one of ${DIALECTS.join(', ')} and --size a whole number from 1 to 10`);
    process.exit(2);
  }
  return { ...values, size, shape: shapeOf(size) };
};

/** Where the site of (dialect, size) lives, and how to reach its database. */
const siteOf = ({ dialect, size }) => {
  const app = path.join(__dirname, '.tmp', `${dialect}-x${size}`);
  const database = `bench_site_x${size}`;
  const server = SERVERS[dialect];
  const dbEnv = server
    ? {
        DATABASE_CLIENT: dialect,
        DATABASE_HOST: server.host,
        DATABASE_PORT: String(server.port),
        DATABASE_NAME: database,
        DATABASE_USERNAME: server.user,
        DATABASE_PASSWORD: '',
      }
    : { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: path.join(app, '.tmp/data.db') };
  return {
    dialect,
    size,
    app,
    out: path.join(app, 'out'),
    uploads: path.join(app, 'public/uploads'),
    database,
    server,
    dbEnv,
    dbFile: dbEnv.DATABASE_FILENAME,
  };
};

/** Runs statements on the server's maintenance database (creating and dropping the site's). */
const onServer = async (site, statements) => {
  const { client, host, port, user, admin } = site.server;
  const knex = createKnex({ client, connection: { host, port, user, database: admin }, pool: { min: 0, max: 1 } });
  try {
    const results = [];
    for (const sql of statements) results.push(await knex.raw(sql));
    return results;
  } finally {
    await knex.destroy();
  }
};

const quoteDb = (site) => (site.dialect === 'postgres' ? `"${site.database}"` : `\`${site.database}\``);

/** The database's size on disk, in bytes. */
const databaseBytes = async (site) => {
  if (!site.server) return fs.statSync(site.dbFile).size;
  const sql =
    site.dialect === 'postgres'
      ? `select pg_database_size('${site.database}') as bytes`
      : `select sum(data_length + index_length) as bytes from information_schema.tables where table_schema = '${site.database}'`;
  const [result] = await onServer(site, [sql]);
  return Number(site.dialect === 'postgres' ? result.rows[0].bytes : result[0][0].bytes);
};

const appEnv = (site) => {
  const text = fs.readFileSync(path.join(site.app, '.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
};

/** Is the seeded site still whole (its marker matches and, on a server, its database is there)? */
const isSeeded = async (site, shape) => {
  const marker = path.join(site.app, 'seeded.json');
  if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== JSON.stringify(shape)) return false;
  if (!site.server) return fs.existsSync(site.dbFile);
  const sql =
    site.dialect === 'postgres'
      ? `select count(*) as n from pg_database where datname = '${site.database}'`
      : `select count(*) as n from information_schema.schemata where schema_name = '${site.database}'`;
  const [result] = await onServer(site, [sql]);
  return Number(site.dialect === 'postgres' ? result.rows[0].n : result[0][0].n) === 1;
};

/** Seeds the site once per (dialect, size); later runs reuse it. Prints how long it took. */
const prepare = async (site, { shape, reseed }) => {
  if (!reseed && (await isSeeded(site, shape))) {
    copyPlaygroundCode(site.app); // the seeded data stays; the code is the playground's of today
    return;
  }
  const started = Date.now();
  fs.rmSync(site.app, { recursive: true, force: true });
  if (site.server) await onServer(site, [`drop database if exists ${quoteDb(site)}`, `create database ${quoteDb(site)}`]);
  copyPlayground(site.app, { ...freshSecrets(), ...site.dbEnv, BACKUP_DIR: site.out, STRAPI_TELEMETRY_DISABLED: 'true' });
  const strapi = await loadApp(site.app, appEnv(site));
  const log = (m) => process.stderr.write(`  seed: ${m}\r`);
  await seedContent(strapi, { ...shape, articles: Math.min(shape.articles, TEMPLATE_ARTICLES), uploadSize: 20 * 1024, largeUploadSize: 10 * 1024 * 1024, log });
  await cloneArticles(strapi, { template: TEMPLATE_ARTICLES, total: shape.articles, log });
  await strapi.destroy();
  fs.writeFileSync(path.join(site.app, 'seeded.json'), JSON.stringify(shape));
  console.error(`\n  seeded ${site.dialect} x${site.size} in ${((Date.now() - started) / 1000).toFixed(0)} s (cached for the next runs)`);
};

/** Wall time of a shell command, and its peak RSS from /usr/bin/time. */
const timeCommand = (site, command, env = {}) => {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', 'bash', '-o', 'pipefail', '-c', command], {
    cwd: site.app,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} failed:\n${result.stderr}`);
  const rssKb = Number(result.stderr.trim().split('\n').pop());
  return { seconds, peak: rssKb * 1024 };
};

/**
 * Runs one job through the plugin's queue in a booted app (its own worker runs it), sampling this
 * process's RSS; the time is the record's startedAt → finishedAt.
 */
const timeJob = async (site, enqueue) => {
  const strapi = await loadApp(site.app, appEnv(site));
  const service = (name) => strapi.plugin('backup').service(name);
  // The booted app's own memory, collected (npm run bench passes --expose-gc) and given a moment:
  // the collector hands pages back to the system after it runs, not as it runs.
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  // BENCH_FORCE_GC_MS=1000 collects every second: tells memory held from garbage the collector has
  // not reached yet (slower, so its times mean nothing).
  const collector = process.env.BENCH_FORCE_GC_MS && global.gc ? setInterval(global.gc, Number(process.env.BENCH_FORCE_GC_MS)) : null;
  try {
    const result = await enqueue(service);
    if (!result.accepted) throw new Error(result.message);
    let done = result.record;
    while (!['completed', 'failed', 'cancelled'].includes(done.status)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      done = await service('records').findById(result.record.id);
    }
    if (done.status !== 'completed') throw new Error(`${done.kind} ${done.status}: ${done.message}`);
    return { record: done, seconds: (Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000, rssGrowth: peak - baseline, peak };
  } finally {
    clearInterval(sampler);
    if (collector) clearInterval(collector);
    await strapi.destroy();
  }
};

/** Enqueues a backup of the named profile (created without uploads or project files), or of the default one. */
const backupWith = (profileName) => async (s) => {
  const profiles = s('profiles');
  const profile = profileName
    ? ((await profiles.findByName(profileName)) ?? (await profiles.create({ name: profileName, includeUploads: false, includeProjectFiles: false })))
    : await profiles.resolve();
  return s('queue').enqueue({ profile, kind: 'backup', trigger: 'api' });
};

/**
 * Requests a restore, with or without the safety backup first, of a backup record (what the admin
 * and `restore --record` do: its recorded sha256 is checked) or of an archive file (`restore --file`).
 */
const restoreFrom = (from, safetyBackup) => (s) =>
  s('restorer').request({ from: typeof from === 'string' ? { path: from } : { record: from }, options: { safetyBackup }, trigger: 'cli' });

/** Writes a bench's figures to bench/results/<time>-<label>.json (not committed); returns the path. */
const saveResults = (report, label) => {
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${report.date.replace(/[:.]/g, '-')}-${label}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return path.relative(process.cwd(), file);
};

/** The machine a figure was measured on. */
const machine = () => ({ cpus: os.cpus().length, cpu: os.cpus()[0].model.trim(), memory: os.totalmem(), node: process.version });

const dirSize = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = path.join(dir, e.name);
    return sum + (e.isDirectory() ? dirSize(p) : fs.statSync(p).size);
  }, 0);

/** The middle value (the upper of the two middle ones for an even count). */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

module.exports = {
  CLI,
  median,
  DIALECTS,
  shapeOf,
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
};
