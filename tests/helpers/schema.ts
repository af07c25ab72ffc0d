/**
 * Test schemas shared by the engine suites (backup, restore): every value kind, keys of every
 * shape (single, composite, bigint, none), and foreign keys between tables (a self-reference, a
 * cycle, link tables, a reference from a table a restore keeps).
 */
import type { Knex } from 'knex';
import type { TestDialect } from './databases';

export const BIG = '9007199254740993'; // 2^53 + 1: not representable as a JS number
export const BINARY = Buffer.from([0, 1, 2, 127, 128, 254, 255]);
export const DOC = { a: [1, 'x', null, 2.5], b: { c: true, 'd e': 'ü€' } };

/** Tables `kinds` (every value kind), `items`, `pairs` (composite key), `bigkeys`, `secrets`, `nokey`. */
export async function createSchema(knex: Knex, dialect: TestDialect): Promise<void> {
  await knex.schema.createTable('kinds', (t) => {
    t.increments('id');
    t.bigInteger('big');
    t.decimal('dec', 20, 6);
    t.double('flt');
    t.boolean('flag');
    if (dialect === 'postgres') t.jsonb('doc');
    else t.json('doc');
    t.binary('bin');
    t.datetime('ts', { useTz: false, precision: 6 });
    t.date('d');
    t.time('tm');
    t.string('s');
    t.text('txt');
  });
  await knex.schema.createTable('items', (t) => {
    t.increments('id');
    t.string('label');
  });
  await knex.schema.createTable('pairs', (t) => {
    t.integer('a').notNullable();
    t.string('b', 20).notNullable();
    t.integer('v');
    t.primary(['a', 'b']);
    t.index(['v'], 'pairs_v_idx');
  });
  await knex.schema.createTable('bigkeys', (t) => {
    t.bigInteger('id').primary();
    t.string('note');
  });
  await knex.schema.createTable('secrets', (t) => {
    t.increments('id');
    t.string('token');
  });
  await knex.schema.createTable('nokey', (t) => {
    t.integer('x');
    t.string('y');
  });

  const ts = dialect === 'sqlite' ? 1714558830123 : '2024-05-01 10:20:30.123456';
  await knex('kinds').insert([
    {
      big: BIG,
      dec: '12345.678900',
      flt: 1.5,
      flag: true,
      doc: JSON.stringify(DOC),
      bin: BINARY,
      ts,
      d: '2024-05-01',
      tm: '10:20:30',
      s: 'héllo "q"\n',
      txt: 'line1\nline2\t\u0001',
    },
    {
      big: '-9007199254740993',
      dec: '-0.000001',
      flt: -2.25,
      flag: false,
      doc: JSON.stringify('123'),
      bin: Buffer.alloc(0),
      ts,
      d: '1999-12-31',
      tm: '23:59:59',
      s: '',
      txt: '',
    },
    { big: null, dec: null, flt: null, flag: null, doc: null, bin: null, ts: null, d: null, tm: null, s: null, txt: null },
  ]);
  await knex('items').insert(Array.from({ length: 25 }, (_, i) => ({ label: `item ${i + 1}` })));
  const pairs = [];
  for (const a of [3, 1, 2]) for (const b of ['b', 'a2', 'c', 'a', 'bb', 'Z', 'y']) pairs.push({ a, b, v: a * 100 });
  await knex('pairs').insert(pairs);
  const base = BigInt(BIG);
  await knex('bigkeys').insert([0n, 1n, 2n, 3n, 4n].map((i) => ({ id: String(base + i), note: `n${i}` })));
  await knex('bigkeys').insert({ id: '1', note: 'small' });
  await knex('secrets').insert({ token: 'do-not-back-me-up' });
  await knex('nokey').insert([
    { x: 2, y: 'b' },
    { x: 1, y: 'a' },
    { x: 2, y: 'a' },
    { x: 1, y: 'a' },
    { x: 3, y: null },
  ]);
}

/** Tables a restore keeps (the plugin's own, in real use). */
export const KEPT_TABLES = ['plugin_records', 'plugin_profiles'];

/**
 * Foreign keys as Strapi makes them, and harder ones: `authors.mentor_id` references its own table,
 * `posts` and `comments` reference each other (a cycle, with a NO ACTION key that no load order can
 * satisfy while it is enforced), `posts_items_lnk` links two tables with cascades, and the kept
 * `plugin_records.author_id` references a restored table with ON DELETE SET NULL (like every
 * Strapi table's `created_by_id`). `posts.slug` is unique.
 */
export async function createRelationsSchema(knex: Knex): Promise<void> {
  await knex.schema.createTable('authors', (t) => {
    t.increments('id');
    t.string('name');
    t.integer('mentor_id').unsigned().references('authors.id').onDelete('SET NULL');
  });
  await knex.schema.createTable('posts', (t) => {
    t.increments('id');
    t.string('slug').unique();
    t.integer('author_id').unsigned().references('authors.id').onDelete('CASCADE');
    t.integer('featured_comment_id').unsigned();
  });
  await knex.schema.createTable('comments', (t) => {
    t.increments('id');
    t.integer('post_id').unsigned().notNullable().references('posts.id');
    t.text('body');
  });
  await knex.schema.alterTable('posts', (t) => {
    t.foreign('featured_comment_id').references('comments.id').onDelete('SET NULL');
  });
  await knex.schema.createTable('posts_items_lnk', (t) => {
    t.increments('id');
    t.integer('post_id').unsigned().references('posts.id').onDelete('CASCADE');
    t.integer('item_id').unsigned().references('items.id').onDelete('CASCADE');
    t.float('ord');
  });
  await knex.schema.createTable('plugin_profiles', (t) => {
    t.increments('id');
    t.string('name');
  });
  await knex.schema.createTable('plugin_records', (t) => {
    t.increments('id');
    t.string('status');
    t.integer('author_id').unsigned().references('authors.id').onDelete('SET NULL');
  });

  await knex('authors').insert([{ name: 'Ada' }, { name: 'Grace' }, { name: 'Linus' }]);
  await knex('authors').where({ id: 2 }).update({ mentor_id: 1 });
  await knex('authors').where({ id: 1 }).update({ mentor_id: 3 });
  await knex('posts').insert([
    { slug: 'first', author_id: 1 },
    { slug: 'second', author_id: 2 },
    { slug: 'third', author_id: 1 },
  ]);
  await knex('comments').insert([
    { post_id: 1, body: 'nice' },
    { post_id: 1, body: 'agreed' },
    { post_id: 2, body: 'hm' },
  ]);
  await knex('posts').where({ id: 1 }).update({ featured_comment_id: 2 });
  await knex('posts').where({ id: 2 }).update({ featured_comment_id: 3 });
  await knex('posts_items_lnk').insert([
    { post_id: 1, item_id: 1, ord: 1 },
    { post_id: 1, item_id: 2, ord: 2 },
    { post_id: 3, item_id: 2, ord: 1 },
  ]);
  await knex('plugin_profiles').insert([{ name: 'Full site' }]);
  await knex('plugin_records').insert([{ status: 'completed', author_id: null }]);
}

/**
 * `extras`: types only one dialect has (PostgreSQL arrays, intervals, NaN, json kept as text; MySQL
 * BIT, YEAR, ENUM; SQLite untyped). `jsons`: JSON values that parsing would change — key order,
 * spaces, digits past 2^53, a JSON `null` beside SQL NULL, and (SQLite) text that is not JSON, as
 * Strapi stores a JSON field set to a plain string.
 */
export async function createExtrasSchema(knex: Knex, dialect: TestDialect): Promise<void> {
  if (dialect === 'postgres') {
    await knex.raw(`create table extras (id serial primary key, arr integer[], words text[], span interval, uid uuid,
      tstz timestamptz(3), f real, j json, n numeric)`);
    await knex.raw(`insert into extras (arr, words, span, uid, tstz, f, j, n) values
      ('{1,2,3}', '{"a b","c,d","q\\"x"}', '1 day 02:03:04.5', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
       '2024-05-01 10:20:30.123+02', 'NaN', '{"k": [1, 2]}', 'NaN'),
      ('{}', '{}', '-3 months', null, '1970-01-01 00:00:00+00', 'Infinity', '"text"', '12345678901234567890.123456789'),
      (null, null, null, null, null, '-Infinity', 'null', null)`);
  } else if (dialect === 'mysql') {
    await knex.raw(`create table extras (id int unsigned auto_increment primary key, bits bit(8), yr year,
      e enum('small','large'), ts timestamp(3) null, d double, j json)`);
    await knex.raw(`insert into extras (bits, yr, e, ts, d, j) values
      (b'10100101', 2024, 'large', '2024-05-01 10:20:30.123', 1e300, '{"k": [1, 2]}'),
      (b'00000000', 1999, 'small', null, -0.5, '"text"'),
      (null, null, null, null, null, null)`);
  } else {
    await knex.raw('create table extras (id integer primary key autoincrement, anything, n numeric, r real)');
    await knex.raw(`insert into extras (anything, n, r) values (5, '12.50', 1), ('text', 7, 2.5), (1.5, null, null)`);
  }
  await knex.schema.createTable('jsons', (t) => {
    t.increments('id');
    if (dialect === 'postgres') t.jsonb('v');
    else t.json('v');
  });
  const values = ['{"b":1,"1":2}', 'null', '"quoted"', '{"a": 1}', '{"n":12345678901234567890}', '[1.50,1e2]', null];
  // Inserted one by one: knex fills a multi-row insert's gaps with DEFAULT, which SQLite refuses.
  for (const v of [...values, ...(dialect === 'sqlite' ? ['hello', 5] : [])]) await knex('jsons').insert({ v });
}
