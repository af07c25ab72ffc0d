'use strict';
/**
 * `npm run build && node bench/hooks-boot.bench.js [--dialect sqlite|postgres] [--boots N]`
 *
 * What the pre-update / pre-uninstall check adds to a boot with no pending change. One playground
 * copy is compiled once, then loaded (no HTTP server) 2N times, alternating the hooks on and off
 * (`hooks.preUpdate` and `hooks.preUninstall` false skip the check entirely):
 *   - the check's own time, from its debug line (`boot check: nothing changes (x ms)`)
 *   - whole `load()` medians, hooks on against hooks off (the baseline)
 * PostgreSQL uses a throw-away database on 127.0.0.1:5432 (user postgres). Never part of
 * `npm test`: figures are printed, not asserted.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { freshSecrets } = require('../scripts/app-env');
const { copyPlayground } = require('../scripts/app-copy');
const { median } = require('./site');

const { values: args } = parseArgs({
  options: { dialect: { type: 'string', default: 'sqlite' }, boots: { type: 'string', default: '10' } },
});
const APP = path.join(__dirname, '.tmp/hooks-app');
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' };
const PG_DB = 'backup_bench_hooks';

const pgAdmin = (sql) => {
  const knex = require('knex')({ client: 'pg', connection: { ...PG, database: 'postgres' }, pool: { min: 0, max: 1 } });
  return knex.raw(sql).finally(() => knex.destroy());
};

const databaseEnv = async () => {
  if (args.dialect === 'sqlite') return { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: path.join(APP, 'data.db') };
  if (args.dialect !== 'postgres') throw new Error(`--dialect must be sqlite or postgres, not ${args.dialect}`);
  await pgAdmin(`drop database if exists "${PG_DB}"`);
  await pgAdmin(`create database "${PG_DB}"`);
  return {
    DATABASE_CLIENT: 'postgres',
    DATABASE_HOST: PG.host,
    DATABASE_PORT: String(PG.port),
    DATABASE_NAME: PG_DB,
    DATABASE_USERNAME: PG.user,
    DATABASE_PASSWORD: PG.password,
  };
};

/** One load() of the app; returns its wall time and the check's own time (null when skipped). */
const loadOnce = async (distDir, hooksOn) => {
  const { createStrapi } = require('@strapi/strapi');
  const app = createStrapi({ appDir: APP, distDir, autoReload: false, serveAdminPanel: false });
  let check = null;
  app.log.level = 'debug';
  app.log.debug = (message) => {
    const match = /boot check: nothing changes \(([\d.]+) ms\)/.exec(message);
    if (match) check = Number(match[1]);
  };
  app.log.info = () => undefined;
  app.log.warn = () => undefined;
  if (!hooksOn) {
    const register = app.register.bind(app);
    app.register = async () => {
      await register();
      app.config.set('plugin::backup.hooks.preUpdate', false);
      app.config.set('plugin::backup.hooks.preUninstall', false);
      return app;
    };
  }
  const started = process.hrtime.bigint();
  await app.load();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await app.destroy();
  return { ms, check };
};

const main = async () => {
  const boots = Number(args.boots);
  fs.rmSync(APP, { recursive: true, force: true });
  const env = { ...freshSecrets(), ...(await databaseEnv()), BACKUP_DIR: path.join(APP, 'backups'), STRAPI_TELEMETRY_DISABLED: 'true' };
  copyPlayground(APP, env);
  Object.assign(process.env, env);
  const { compileStrapi } = require('@strapi/strapi');
  const { distDir } = await compileStrapi({ appDir: APP, ignoreDiagnostics: true });
  // The first boot installs (nothing recorded yet, nothing to compare): not measured.
  await loadOnce(distDir, true);
  const on = [];
  const off = [];
  const checks = [];
  for (let i = 0; i < boots; i += 1) {
    const a = await loadOnce(distDir, true);
    on.push(a.ms);
    if (a.check !== null) checks.push(a.check);
    off.push((await loadOnce(distDir, false)).ms);
  }
  const r = (x) => x.toFixed(1);
  console.log(`dialect ${args.dialect}, ${boots} boots each way, no pending change`);
  console.log(`  the check itself:   median ${r(median(checks))} ms (min ${r(Math.min(...checks))}, max ${r(Math.max(...checks))})`);
  console.log(`  load(), hooks on:   median ${r(median(on))} ms`);
  console.log(`  load(), hooks off:  median ${r(median(off))} ms (baseline)`);
  if (args.dialect === 'postgres') await pgAdmin(`drop database if exists "${PG_DB}" with (force)`);
};

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
