'use strict';
/**
 * A `bulk` table of `rows` rows (~80 characters of text each), filled by the database itself in
 * one statement (a row at a time from Node would take minutes): what the restore benchmark and the
 * restore memory test load.
 */

/** @param {import('knex').Knex} knex @param {'sqlite'|'postgres'|'mysql'} dialect @param {number} rows */
const fillBulkTable = async (knex, dialect, rows) => {
  await knex.schema.createTable('bulk', (t) => {
    t.increments('id');
    t.string('v', 255);
    t.integer('n');
  });
  if (dialect === 'postgres') {
    await knex.raw(`insert into bulk (id, v, n) select g, md5(g::text) || md5((g + 1)::text), g % 1000 from generate_series(1, ${rows}) g`);
  } else if (dialect === 'sqlite') {
    await knex.raw(`with recursive s(i) as (select 1 union all select i + 1 from s where i < ${rows})
      insert into bulk (id, v, n) select i, hex(randomblob(40)), i % 1000 from s`);
  } else {
    // MySQL before 8 has no recursive CTE: cross joins of digit tables count to `rows`.
    const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => `select ${d} d`).join(' union all ');
    const cols = ['a', 'b', 'c', 'e', 'f', 'g', 'h'].slice(0, Math.max(1, Math.ceil(Math.log10(rows + 1))));
    await knex.raw(`insert into bulk (id, v, n) select i, concat(md5(i), md5(i + 1)), i % 1000
      from (select ${cols.map((c, i) => `${10 ** i} * ${c}.d`).join(' + ')} + 1 as i
              from ${cols.map((c) => `(${digits}) ${c}`).join(' cross join ')}) s where i <= ${rows}`);
  }
};

module.exports = { fillBulkTable };
