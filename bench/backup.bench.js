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
 * Then the restore bench (restore.bench.js) on the same site. Never part of `npm test`: figures
 * are printed, not asserted.
 */
const fs = require('node:fs');
const path = require('node:path');
const { APP, OUT, CLI, DB, UPLOADS, readShape, mb, dirSize, appEnv, prepare, timeCommand, timeJob, printTable } = require('./site');

const main = async () => {
  const options = readShape();
  const { shape } = options;
  console.log(`bench: ${shape.articles} articles, ${shape.uploads} uploads of 20 KB, ${shape.largeUploads} of 10 MB (SQLite)`);
  await prepare(options);
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  console.log(`  data: database ${mb(fs.statSync(DB).size)}, uploads ${mb(dirSize(UPLOADS))}\n`);

  const rows = [];
  const service = await timeJob(async (s) => s('queue').enqueue({ profile: await s('profiles').resolve(), kind: 'backup', trigger: 'api' }));
  rows.push(['strapi-plugin-backup (service)', service.seconds, `${mb(service.peak)} peak RSS (+${mb(service.rssGrowth)})`, mb(Number(service.record.archiveSize))]);
  const cli = timeCommand(`node ${CLI} run --wait --json > /dev/null`);
  rows.push(['strapi-plugin-backup (CLI, with boot)', cli.seconds, `${mb(cli.rss)} peak RSS`, '']);
  const shell = timeCommand(`sqlite3 ${DB} ".backup ${OUT}/copy.db" && tar czf ${OUT}/site.tgz -C ${OUT} copy.db -C ${APP} public/uploads`);
  rows.push(['sqlite3 .backup + tar czf', shell.seconds, `${mb(shell.rss)} peak RSS`, mb(fs.statSync(`${OUT}/site.tgz`).size)]);
  const floor = timeCommand(`tar cf ${OUT}/floor.tar -C ${APP} .tmp/data.db public/uploads`);
  rows.push(['tar cf (I/O floor)', floor.seconds, `${mb(floor.rss)} peak RSS`, mb(fs.statSync(`${OUT}/floor.tar`).size)]);
  const exported = timeCommand(`npx strapi export --no-encrypt -f ${OUT}/export > /dev/null`, APP, appEnv());
  const exportFile = fs.readdirSync(OUT).find((f) => f.startsWith('export'));
  rows.push(['strapi export --no-encrypt', exported.seconds, `${mb(exported.rss)} peak RSS`, exportFile ? mb(fs.statSync(path.join(OUT, exportFile)).size) : '']);
  printTable(rows, service.seconds);
  fs.rmSync(OUT, { recursive: true, force: true });
};

main().catch((error) => {
  console.error(`bench failed: ${error.message}`);
  process.exit(1);
});
