'use strict';
/**
 * `npm run build && node bench/restore-engine.bench.js [-- --rows N --uploads M --dialects sqlite,postgres,mysql]`
 *
 * Times the restore engine alone (no Strapi boot: checkArchive, then restoreArchive) on a plain table of N rows (~90 bytes of text
 * each) and M uploads of 100 KB, on each dialect, beside the floor on SQLite: `sqlite3 .restore`
 * of a copy of the same database + `tar xf` of the same uploads. Prints the peak RSS growth of the
 * restore. The full comparison (a seeded Strapi site, `strapi import`) belongs to the site bench.
 * Never part of `npm test`: figures are printed, not asserted.
 */
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const createKnex = require('knex');
const { fillBulkTable } = require('../scripts/bulk-table');
const { checkArchive, createBackup, restoreArchive } = require('../dist/server/src/engine');

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '500000' },
    uploads: { type: 'string', default: '300' },
    dialects: { type: 'string', default: 'sqlite,postgres,mysql' },
  },
});
const ROWS = Number(args.rows);
const UPLOADS = Number(args.uploads);
const WORK = path.join(__dirname, '.tmp/restore-engine');
const DB_NAME = 'bench_restore_engine';

const config = (dialect) =>
  ({
    sqlite: {
      client: 'better-sqlite3',
      connection: { filename: path.join(WORK, 'data.db') },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn, done) => {
          conn.pragma('foreign_keys = on'); // as Strapi opens its SQLite connection
          done(null, conn);
        },
      },
    },
    postgres: { client: 'pg', connection: { host: '127.0.0.1', user: 'postgres', database: DB_NAME } },
    mysql: { client: 'mysql2', connection: { host: '127.0.0.1', user: 'root', database: DB_NAME } },
  })[dialect];

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const time = async (fn) => {
  const started = Date.now();
  const value = await fn();
  return { ms: Date.now() - started, value };
};

async function onServer(dialect, statements) {
  const cfg = config(dialect);
  const admin = createKnex({ ...cfg, connection: { ...cfg.connection, database: dialect === 'postgres' ? 'postgres' : undefined } });
  try {
    for (const sql of statements) await admin.raw(sql);
  } finally {
    await admin.destroy();
  }
}
const freshDatabase = (dialect) => (dialect === 'sqlite' ? undefined : onServer(dialect, [`drop database if exists ${DB_NAME}`, `create database ${DB_NAME}`]));
const dropDatabase = (dialect) => onServer(dialect, [`drop database if exists ${DB_NAME}`]);

async function run(dialect, uploadsDir) {
  await freshDatabase(dialect);
  const knex = createKnex(config(dialect));
  try {
    await fillBulkTable(knex, dialect, ROWS);
    const out = path.join(WORK, `${dialect}.tar`);
    const backup = await createBackup({
      knex,
      dialect,
      includeDatabase: true,
      uploadsDir,
      projectDir: null,
      format: 'tar',
      outFile: out,
      tmpDir: path.join(WORK, 'tmp'),
      meta: { strapiVersion: null, pluginVersion: null, profile: null },
    });
    await knex('bulk').where('id', '<=', 1000).del();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const check = await time(() => checkArchive(backup.file, { knex, dialect }));
    if (check.value.errors.length) throw new Error(check.value.errors.join('\n'));
    const restore = await time(() => restoreArchive({ knex, dialect, file: backup.file, manifest: check.value.manifest, uploadsDir }));
    clearInterval(sampler);
    console.log(
      `  ${dialect.padEnd(8)} check + restore ${seconds(check.ms + restore.ms)} (check ${seconds(check.ms)}, restore ${seconds(restore.ms)}; ${(backup.size / 1048576).toFixed(1)} MB archive, peak RSS +${((peak - base) / 1048576).toFixed(0)} MB)`,
    );
    fs.rmSync(out);
  } finally {
    await knex.destroy();
  }
}

/** The floor on SQLite: `sqlite3 .restore` of a copy of the database, `tar xf` of the uploads. */
function floor(uploadsDir) {
  const db = path.join(WORK, 'data.db');
  const copy = path.join(WORK, 'copy.db');
  const tarFile = path.join(WORK, 'uploads.tar');
  spawnSync('sqlite3', [db, `.backup ${copy}`]);
  spawnSync('tar', ['cf', tarFile, '-C', path.dirname(uploadsDir), path.basename(uploadsDir)]);
  const extractTo = path.join(WORK, 'extract');
  fs.mkdirSync(extractTo, { recursive: true });
  const started = Date.now();
  const restored = spawnSync('sqlite3', [db, `.restore ${copy}`]);
  const untarred = spawnSync('tar', ['xf', tarFile, '-C', extractTo]);
  const ms = Date.now() - started;
  if (restored.status !== 0 || untarred.status !== 0) throw new Error(`floor failed: ${restored.stderr}${untarred.stderr}`);
  console.log(`  sqlite   floor           ${seconds(ms)}  (sqlite3 .restore + tar xf)`);
}

(async () => {
  fs.rmSync(WORK, { recursive: true, force: true });
  const uploadsDir = path.join(WORK, 'public', 'uploads');
  fs.mkdirSync(uploadsDir, { recursive: true });
  for (let i = 0; i < UPLOADS; i += 1) fs.writeFileSync(path.join(uploadsDir, `file-${i}.jpg`), crypto.randomBytes(100 * 1024));
  console.log(`Restore engine: ${ROWS} rows, ${UPLOADS} uploads of 100 KB`);
  for (const dialect of args.dialects.split(',')) {
    await run(dialect, uploadsDir);
    if (dialect === 'sqlite') floor(uploadsDir);
  }
  fs.rmSync(WORK, { recursive: true, force: true });
  for (const dialect of args.dialects.split(',')) if (dialect !== 'sqlite') await dropDatabase(dialect);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
