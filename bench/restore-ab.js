'use strict';
/**
 * `npm run build && node bench/restore-ab.js --dialect mysql --size 5 [--uploads] [--runs 2] [--against DIR]`
 *
 * Times the restore engine alone (restoreArchive, after a deferred checkArchive) on the bench site
 * (site.js; seeded on first use), restoring one archive of it into its own database: the database
 * only, or with `--uploads` the uploads too (into the site's upload directory). With `--against`,
 * the `dist/server/src/engine` directory of another build (`mkdir /tmp/old && git archive <rev> |
 * tar -x -C /tmp/old`, `ln -s $PWD/node_modules /tmp/old/`, `npx tsc -p tsconfig.build.json` in
 * /tmp/old; outside the repository, which lint reads whole) restores the same
 * archive in turn with this one, alternating, so that both meet the same machine: the baseline is
 * that build. The archive is written once per (size, uploads) and kept in the site's directory.
 * Never part of `npm test`: figures are printed, not asserted.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const createKnex = require('knex');
const { siteOf, shapeOf, prepare } = require('./site');

const { values: args } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'mysql' },
    size: { type: 'string', default: '5' },
    uploads: { type: 'boolean', default: false },
    runs: { type: 'string', default: '2' },
    against: { type: 'string' },
  },
});
const KEEP = ['backup_profiles', 'backup_records', 'backup_records_profile_lnk'];
const builds = { 'this build': path.join(__dirname, '../dist/server/src/engine'), ...(args.against ? { [args.against]: path.resolve(args.against) } : {}) };

async function main() {
  const { dialect } = args;
  const size = Number(args.size);
  const site = siteOf({ dialect, size });
  await prepare(site, { shape: shapeOf(size), reseed: false });
  const connection = site.server
    ? { host: site.server.host, port: site.server.port, user: site.server.user, database: site.database }
    : { filename: site.dbFile };
  const client = { mysql: 'mysql2', postgres: 'pg', sqlite: 'better-sqlite3' }[dialect];
  // One per restore: a SQLite restore can put a new database file in place of the old one.
  const connect = () => createKnex({ client, connection, useNullAsDefault: true, pool: dialect === 'sqlite' ? { min: 1, max: 1 } : { min: 0, max: 4 } });
  let knex = connect();
  const uploadsDir = args.uploads ? site.uploads : null;
  const file = path.join(site.app, `restore-ab${args.uploads ? '-uploads' : ''}.tar`);
  try {
    const engine = require(builds['this build']);
    if (!fs.existsSync(file)) {
      await engine.createBackup({
        knex,
        dialect,
        includeDatabase: true,
        uploadsDir,
        projectDir: null,
        format: 'tar',
        outFile: file,
        tmpDir: path.join(site.app, 'restore-ab-tmp'), // not .tmp: a SQLite site keeps its database there
        excludeTables: KEEP,
        meta: { strapiVersion: null, pluginVersion: null, profile: null },
      });
    }
    const times = Object.fromEntries(Object.keys(builds).map((name) => [name, []]));
    for (let run = 0; run < Number(args.runs); run += 1) {
      for (const [name, dir] of Object.entries(builds)) {
        const { checkArchive, restoreArchive } = require(dir);
        await knex.destroy();
        knex = connect();
        const check = await checkArchive(file, { knex, dialect, keepTables: KEEP, deferEntries: true });
        const started = process.hrtime.bigint();
        await restoreArchive({ knex, dialect, file, manifest: check.manifest, deferred: check.deferred, keepTables: KEEP, uploadsDir });
        times[name].push((Number(process.hrtime.bigint() - started) / 1e9).toFixed(2));
      }
    }
    console.log(`${dialect}, bench site x${size}, restoreArchive of ${args.uploads ? 'the database and the uploads' : 'the database'} (s, alternating):`);
    for (const [name, list] of Object.entries(times)) console.log(`  ${name.padEnd(40)} ${list.join(', ')}`);
  } finally {
    await knex.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
