'use strict';
/**
 * `npm run bench:restore [-- --articles N --uploads M --large-uploads L --reseed]`
 *
 * Times a restore of the bench site (site.js) from its own archive against what else would put it
 * back, on the same data, in the same run:
 *   - ours, the service (a queued restore in a booted app, without and with the safety backup),
 *     with its peak RSS growth, and the CLI's wall time including Strapi's boot
 *   - `sqlite3 .restore` + `tar xf` of the same database and uploads (the floor: no verify, no
 *     transaction, no checksums)
 *   - `strapi import` of a `strapi export` of the same site (Strapi's own tool; it carries no admin
 *     users or tokens)
 * The site is put back from our archive at the end. Never part of `npm test`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { APP, OUT, CLI, DB, UPLOADS, readShape, mb, dirSize, appEnv, prepare, timeCommand, timeJob, printTable } = require('./site');

const restoreFrom = (from, safetyBackup) => (service) => service('restorer').request({ from, options: { safetyBackup }, trigger: 'cli' });

const main = async () => {
  const options = readShape();
  const { shape } = options;
  console.log(`restore bench: ${shape.articles} articles, ${shape.uploads} uploads of 20 KB, ${shape.largeUploads} of 10 MB (SQLite)`);
  await prepare(options);
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  console.log(`  data: database ${mb(fs.statSync(DB).size)}, uploads ${mb(dirSize(UPLOADS))}`);

  const backup = await timeJob(async (s) => s('queue').enqueue({ profile: await s('profiles').resolve(), kind: 'backup', trigger: 'api' }));
  const archive = path.join(OUT, backup.record.archiveFile);
  console.log(`  archive: ${mb(fs.statSync(archive).size)}, backed up in ${backup.seconds.toFixed(2)} s\n`);
  // The floor's inputs, made untimed: a copy of the database and a plain tar of the uploads.
  timeCommand(`sqlite3 ${DB} ".backup ${OUT}/copy.db" && tar cf ${OUT}/uploads.tar -C ${APP} public/uploads`);
  timeCommand(`npx strapi export --no-encrypt -f ${OUT}/export > /dev/null`, APP, appEnv());

  const rows = [];
  const ours = await timeJob(restoreFrom({ path: archive }, false));
  rows.push(['strapi-plugin-backup restore (service)', ours.seconds, `${mb(ours.peak)} peak RSS (+${mb(ours.rssGrowth)})`, '']);
  const safe = await timeJob(restoreFrom({ path: archive }, true));
  rows.push(['  … with its safety backup first', safe.seconds, `${mb(safe.peak)} peak RSS (+${mb(safe.rssGrowth)})`, '']);
  const cli = timeCommand(`node ${CLI} restore --file ${archive} --yes --no-safety-backup --json > /dev/null`);
  rows.push(['strapi-plugin-backup restore (CLI, with boot)', cli.seconds, `${mb(cli.rss)} peak RSS`, '']);
  const floor = timeCommand(`sqlite3 ${DB} ".restore ${OUT}/copy.db" && rm -rf ${OUT}/x && mkdir ${OUT}/x && tar xf ${OUT}/uploads.tar -C ${OUT}/x`);
  rows.push(['sqlite3 .restore + tar xf (floor)', floor.seconds, `${mb(floor.rss)} peak RSS`, '']);
  const exportFile = fs.readdirSync(OUT).find((f) => f.startsWith('export'));
  const imported = timeCommand(`npx strapi import -f ${OUT}/${exportFile} --force > /dev/null`, APP, appEnv());
  rows.push(['strapi import (of strapi export)', imported.seconds, `${mb(imported.rss)} peak RSS`, '']);
  printTable(rows, ours.seconds);

  // strapi import replaced the content (and our records): the site comes back from our archive.
  await timeJob(restoreFrom({ path: archive }, false));
  fs.rmSync(OUT, { recursive: true, force: true });
};

main().catch((error) => {
  console.error(`restore bench failed: ${error.message}`);
  process.exit(1);
});
