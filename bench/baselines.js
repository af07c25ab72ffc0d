'use strict';
/**
 * What an operator of each engine would run instead of the plugin, as shell commands on the bench
 * site (site.js), and the target each is held to. A target is the least `baseline / ours` ratio:
 * 3 means ours must be 3 times faster, 0.5 that ours may take twice as long.
 */

const pgArgs = (site) => `-h ${site.server.host} -p ${site.server.port} -U ${site.server.user}`;
const myArgs = (site) => `-h ${site.server.host} -P ${site.server.port} -u${site.server.user}`;
const TAR_UPLOADS = 'tar czf out/uploads.tgz -C . public/uploads';

/** Untimed: the inputs the restore baselines start from (a copy of the database, a plain tar). */
const restoreInputs = (site) =>
  ({
    sqlite: () => `sqlite3 ${site.dbFile} ".backup out/copy.db"`,
    postgres: () => `pg_dump ${pgArgs(site)} -Fc -f out/db.dump ${site.database}`,
    mysql: () => `mysqldump ${myArgs(site)} --single-transaction ${site.database} > out/db.sql`,
  })[site.dialect]() + ' && tar cf out/uploads.tar -C . public/uploads';

/** `vs` names our row the ratio is taken against. */
const backupBaselines = (site) =>
  ({
    sqlite: () => [
      {
        name: 'sqlite3 .backup + tar czf',
        vs: 'backup',
        target: 3,
        output: 'out/site.tgz',
        command: `sqlite3 ${site.dbFile} ".backup out/copy.db" && tar czf out/site.tgz -C out copy.db -C .. public/uploads`,
      },
      {
        name: 'tar cf (I/O floor, no consistency)',
        vs: 'backup',
        output: 'out/floor.tar',
        command: `tar cf out/floor.tar -C .tmp data.db -C .. public/uploads`,
      },
    ],
    postgres: () => [
      {
        name: 'pg_dump -Fc (database only)',
        vs: 'database',
        target: 1,
        output: 'out/db.dump',
        command: `pg_dump ${pgArgs(site)} -Fc -f out/db.dump ${site.database}`,
      },
      {
        name: 'pg_dump -Fc + tar czf uploads',
        vs: 'backup',
        target: 3,
        command: `pg_dump ${pgArgs(site)} -Fc -f out/db.dump ${site.database} && ${TAR_UPLOADS}`,
      },
    ],
    mysql: () => [
      {
        name: 'mysqldump --single-transaction | gzip (db)',
        vs: 'database',
        target: 1,
        output: 'out/db.sql.gz',
        command: `mysqldump ${myArgs(site)} --single-transaction ${site.database} | gzip > out/db.sql.gz`,
      },
      {
        name: 'mysqldump | gzip + tar czf uploads',
        vs: 'backup',
        target: 3,
        command: `mysqldump ${myArgs(site)} --single-transaction ${site.database} | gzip > out/db.sql.gz && ${TAR_UPLOADS}`,
      },
    ],
  })[site.dialect]();

const UNTAR = 'rm -rf out/x && mkdir out/x && tar xf out/uploads.tar -C out/x';

const restoreBaselines = (site) =>
  ({
    sqlite: () => [
      { name: 'sqlite3 .restore + tar xf (floor)', vs: 'restore', target: 0.5, command: `sqlite3 ${site.dbFile} ".restore out/copy.db" && ${UNTAR}` },
    ],
    postgres: () => [
      {
        name: 'pg_restore --clean -1 + tar xf',
        vs: 'restore',
        target: 0.5,
        command: `pg_restore ${pgArgs(site)} --clean --if-exists --single-transaction -d ${site.database} out/db.dump && ${UNTAR}`,
      },
    ],
    mysql: () => [{ name: 'mysql < dump + tar xf', vs: 'restore', target: 0.5, command: `mysql ${myArgs(site)} ${site.database} < out/db.sql && ${UNTAR}` }],
  })[site.dialect]();

/** Strapi's own tools, on every dialect (the export is made before the import is timed). */
const strapiExport = (site) => ({
  name: 'strapi export --no-encrypt',
  vs: 'backup',
  target: site.dialect === 'sqlite' ? 5 : null,
  command: 'npx strapi export --no-encrypt -f out/export > /dev/null',
});
const strapiImport = {
  name: 'strapi import (of strapi export)',
  vs: 'restore',
  target: 20,
  command: 'npx strapi import -f out/export.tar.gz --force > /dev/null',
};

module.exports = { restoreInputs, backupBaselines, restoreBaselines, strapiExport, strapiImport };
