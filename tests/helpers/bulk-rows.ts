import type { Knex } from 'knex';

/**
 * A `bulk_rows` table large enough that a backup of it runs for a while: `rows` inserted, then
 * doubled `doublings` times in SQL (seconds even for a million rows, on every dialect).
 */
export const createBulkRows = async (knex: Knex, rows: number, doublings = 0, payload: (i: number) => string = () => 'x'.repeat(150)) => {
  await knex.schema.createTable('bulk_rows', (t) => {
    t.increments('id');
    t.string('payload', 200);
  });
  await knex.batchInsert(
    'bulk_rows',
    Array.from({ length: rows }, (_, i) => ({ payload: payload(i) })),
    500,
  );
  for (let i = 0; i < doublings; i += 1) await knex.raw('insert into bulk_rows (payload) select payload from bulk_rows');
};
