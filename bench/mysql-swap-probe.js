'use strict';
/**
 * `npm run build && node bench/mysql-swap-probe.js [--size 5] [--runs 2]`
 *
 * A probe, not the plugin's code: is loading MySQL/MariaDB tables into new tables and swapping them
 * in with one RENAME TABLE faster than the restore's one transaction (DELETE every row, INSERT
 * them again, check the keys)? Both load the database half of the same archive of the bench site
 * (site.js; seeded on first use) into its database, alternating, `--runs` times each; no uploads.
 *
 * The swap, as measured: `CREATE TABLE t__n LIKE t` for every restored table (LIKE copies indexes,
 * not foreign keys), the entries loaded into them in one transaction with the engine's own writer,
 * the keys checked on the new tables, one `RENAME TABLE t TO t__o, t__n TO t, …` (atomic), then
 * every key re-created: those of restored tables are on the old tables, and those of other tables
 * (the plugin's records) followed the renamed tables to `t__o`, so each is dropped and added on
 * the new table (no check: FOREIGN_KEY_CHECKS=0; the restored tables' keys were checked before the
 * swap); the old tables dropped. What the plugin would still need: the keys from tables not
 * restored into restored ones (checked, their ON DELETE rule applied, as the restore does), ON
 * UPDATE rules, a crash between the RENAME and the last key (the boot would have to finish it),
 * and leftover `__n` tables after a crash before it.
 * The bench database ends restored either way (every key back; printed at the end).
 */
const path = require('node:path');
const { parseArgs } = require('node:util');
const createKnex = require('knex');
const { siteOf, shapeOf, prepare } = require('./site');
const engine = '../dist/server/src/engine';
const { checkArchive, createBackup, restoreArchive } = require(engine);
const { planRestore } = require(`${engine}/compat`);
const { readEntries, drain } = require(`${engine}/archive-read`);
const { loadTableEntry } = require(`${engine}/table-load`);
const { createWriter } = require(`${engine}/insert`);
const { checkForeignKeys, listForeignKeys, ident } = require(`${engine}/foreign-keys`);
const { tablesStart } = require(`${engine}/tar-seek`);

const KEEP = ['backup_profiles', 'backup_records', 'backup_records_profile_lnk'];
const q = (name) => ident('mysql', name);
const { values } = parseArgs({ options: { size: { type: 'string', default: '5' }, runs: { type: 'string', default: '2' } } });

async function swapLoad(knex, file, manifest) {
  const plan = await planRestore(knex, 'mysql', manifest, KEEP);
  const restored = new Set(plan.tables.map((t) => t.name));
  const names = [...restored];
  const fks = (await listForeignKeys(knex, 'mysql', plan.databaseTables)).filter((fk) => restored.has(fk.table) || restored.has(fk.refTable));
  const conn = await knex.client.acquireConnection();
  const on = (sql) => knex.raw(sql).connection(conn);
  try {
    await on('set session foreign_key_checks = 0');
    for (const t of names) {
      await on(`drop table if exists ${q(`${t}__n`)}`);
      await on(`create table ${q(`${t}__n`)} like ${q(t)}`);
    }
    await on('start transaction');
    const byName = new Map(plan.tables.map((t) => [t.name, t]));
    for await (const entry of readEntries(file, { start: await tablesStart(file) })) {
      const table = byName.get(/^db\/(.+)\.ndjson\.gz$/.exec(entry.header.name)?.[1]);
      if (!table) {
        await drain(entry);
        continue;
      }
      const shadow = { ...table, name: `${table.name}__n` };
      await loadTableEntry({ entry, table: shadow, dialect: 'mysql', writer: createWriter('mysql', shadow, 1000, conn) });
    }
    await on('commit');
    // The restore's own check, on the new tables' names.
    const now = (t) => (restored.has(t) ? `${t}__n` : t);
    const onShadows = fks.map((fk) => ({ ...fk, table: now(fk.table), refTable: now(fk.refTable) }));
    await checkForeignKeys(knex, 'mysql', onShadows, new Set(names.map(now)));
    await on(`rename table ${names.map((t) => `${q(t)} to ${q(`${t}__o`)}, ${q(`${t}__n`)} to ${q(t)}`).join(', ')}`);
    for (const fk of fks) await on(`alter table ${q(restored.has(fk.table) ? `${fk.table}__o` : fk.table)} drop foreign key ${q(fk.name)}`);
    const adds = new Map();
    for (const fk of fks) {
      const refs = `${fk.columns.map(q).join(', ')}) references ${q(fk.refTable)} (${fk.refColumns.map(q).join(', ')}) on delete ${fk.onDelete}`;
      adds.set(fk.table, [...(adds.get(fk.table) ?? []), `add constraint ${q(fk.name)} foreign key (${refs}`]);
    }
    for (const [t, clauses] of adds) await on(`alter table ${q(t)} ${clauses.join(', ')}`);
    for (const t of names) await on(`drop table ${q(`${t}__o`)}`);
  } finally {
    await on('set session foreign_key_checks = 1').catch(() => undefined);
    await knex.client.releaseConnection(conn);
  }
}

async function main() {
  const size = Number(values.size);
  const site = siteOf({ dialect: 'mysql', size });
  await prepare(site, { shape: shapeOf(size), reseed: false });
  const { host, port, user } = site.server;
  const knex = createKnex({ client: 'mysql2', connection: { host, port, user, database: site.database }, pool: { min: 0, max: 3 } });
  const file = path.join(site.app, 'swap-probe.tar');
  try {
    await createBackup({
      knex,
      dialect: 'mysql',
      includeDatabase: true,
      uploadsDir: null,
      projectDir: null,
      format: 'tar',
      outFile: file,
      tmpDir: path.join(site.app, '.tmp'),
      excludeTables: KEEP,
      meta: { strapiVersion: null, pluginVersion: null, profile: null },
    });
    const check = await checkArchive(file, { knex, dialect: 'mysql', keepTables: KEEP, deferEntries: true });
    const ways = {
      'one transaction (the restore today)': () =>
        restoreArchive({ knex, dialect: 'mysql', file, manifest: check.manifest, deferred: check.deferred, keepTables: KEEP, uploadsDir: null }),
      'new tables + RENAME TABLE': () => swapLoad(knex, file, check.manifest),
    };
    const times = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
    for (let run = 0; run < Number(values.runs); run += 1) {
      for (const [name, load] of Object.entries(ways)) {
        const started = Date.now();
        await load();
        times[name].push(((Date.now() - started) / 1000).toFixed(2));
      }
    }
    const [[{ keys }]] = await knex.raw('select count(*) as `keys` from information_schema.referential_constraints where constraint_schema = ?', [
      site.database,
    ]);
    console.log(`MariaDB/MySQL, bench site x${size}, the database half of its archive (s, alternating):`);
    for (const [name, list] of Object.entries(times)) console.log(`  ${name.padEnd(38)} ${list.join(', ')}`);
    console.log(`  foreign keys in the database afterwards: ${keys}`);
  } finally {
    await knex.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
