'use strict';
/**
 * Multiplies seeded articles with SQL, so the bench's large sites seed in minutes. Strapi's
 * document service writes each article through validation, a uniqueness check, lifecycles and
 * events: about 86 articles/s into an empty SQLite site here (500 articles, measured 2026-12-02)
 * and, an earlier session measured, 24/s once it holds 20,000: the 5x site (100,000 articles) would
 * have taken over an hour. Each copy repeats the rows Strapi wrote for the
 * template articles — the article, its SEO component, its author and category links, its cover
 * link — with every id shifted past the table's largest and a new document id and slug, so the
 * copies have the template's shape and sizes and reference the same authors, categories and files.
 */
const crypto = require('node:crypto');

const ARTICLE = 'api::article.article';

/** Strapi 5's document ids: 24 lowercase letters and digits. */
const documentId = () =>
  crypto
    .randomBytes(18)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')
    .slice(0, 24);

/**
 * A row as the driver read it, made fit to insert again: JSON columns come back as objects from
 * PostgreSQL and MySQL, which mysql2 would otherwise write as `key = value` lists.
 */
const insertable = (row) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v) ? JSON.stringify(v) : v]),
  );

/** The tables an article's rows live in, by Strapi's metadata (not by their names, which change). */
const layout = (strapi) => {
  const meta = strapi.db.metadata.get(ARTICLE);
  const seo = meta.attributes.seo.joinTable;
  const related = strapi.db.metadata.get('plugin::upload.file').attributes.related.joinTable;
  return {
    articles: meta.tableName,
    seo: strapi.db.metadata.get(strapi.getModel(ARTICLE).attributes.seo.component).tableName,
    cmps: seo,
    author: meta.attributes.author.joinTable,
    categories: meta.attributes.categories.joinTable,
    related,
  };
};

/** The template: every row of the first `count` articles, read once. */
const readTemplate = async (knex, t, count) => {
  const articles = await knex(t.articles).select('*').orderBy('id').limit(count);
  const ids = articles.map((a) => a.id);
  const cmps = await knex(t.cmps.name).select('*').whereIn(t.cmps.joinColumn.name, ids);
  const seoIds = cmps.map((c) => c[t.cmps.inverseJoinColumn.name]);
  const morph = t.related.morphColumn;
  return {
    articles,
    seo: await knex(t.seo).select('*').whereIn('id', seoIds),
    cmps,
    author: await knex(t.author.name).select('*').whereIn(t.author.joinColumn.name, ids),
    categories: await knex(t.categories.name).select('*').whereIn(t.categories.joinColumn.name, ids),
    related: await knex(t.related.name).select('*').where(morph.typeColumn.name, ARTICLE).whereIn(morph.idColumn.name, ids),
  };
};

const maxId = async (knex, table) => Number((await knex(table).max({ m: 'id' }))[0].m ?? 0);

/**
 * Copies the first `template` articles until the site holds `total` articles; returns how many it added.
 * @param {import('@strapi/strapi').Core.Strapi} strapi
 */
const cloneArticles = async (strapi, { template, total, log = () => {} }) => {
  const knex = strapi.db.connection;
  const t = layout(strapi);
  const rows = await readTemplate(knex, t, template);
  const count = rows.articles.length;
  const tables = { articles: t.articles, seo: t.seo, cmps: t.cmps.name, author: t.author.name, categories: t.categories.name, related: t.related.name };
  const start = Number((await knex(t.articles).count({ n: '*' }))[0].n);
  for (let have = start; count > 0 && have < total; ) {
    // Shift by each table's largest id now, so a copy never meets an id that pages or earlier copies took.
    const shift = {};
    for (const [key, table] of Object.entries(tables)) shift[key] = await maxId(knex, table);
    const articles = rows.articles.slice(0, Math.min(count, total - have));
    const ids = new Set(articles.map((a) => a.id));
    const own = (column) => (r) => ids.has(r[column]);
    const moved = (link, column, key) => ({ ...link, id: link.id + shift[key], [column]: link[column] + shift.articles });
    const cmps = rows.cmps.filter(own(t.cmps.joinColumn.name));
    const seoIds = new Set(cmps.map((c) => c[t.cmps.inverseJoinColumn.name]));
    const copies = {
      articles: articles.map((a, i) => ({
        ...a,
        id: a.id + shift.articles,
        document_id: documentId(),
        slug: `article-${have + i}`,
        title: a.title.replace(/^Article \d+/, `Article ${have + i}`),
      })),
      seo: rows.seo.filter((s) => seoIds.has(s.id)).map((s) => ({ ...s, id: s.id + shift.seo })),
      cmps: cmps.map((c) => ({ ...moved(c, t.cmps.joinColumn.name, 'cmps'), [t.cmps.inverseJoinColumn.name]: c[t.cmps.inverseJoinColumn.name] + shift.seo })),
      author: rows.author.filter(own(t.author.joinColumn.name)).map((l) => moved(l, t.author.joinColumn.name, 'author')),
      categories: rows.categories.filter(own(t.categories.joinColumn.name)).map((l) => moved(l, t.categories.joinColumn.name, 'categories')),
      related: rows.related.filter(own(t.related.morphColumn.idColumn.name)).map((l) => moved(l, t.related.morphColumn.idColumn.name, 'related')),
    };
    await knex.transaction(async (trx) => {
      for (const [key, table] of Object.entries(tables)) await trx.batchInsert(table, copies[key].map(insertable), 200);
    });
    have += articles.length;
    log(`${have}/${total} articles`);
  }
  if (knex.client.config.client === 'postgres' || knex.client.config.client === 'pg') {
    // Explicit ids leave PostgreSQL's sequences behind; the next article Strapi writes needs a free id.
    for (const table of Object.values(tables)) {
      await knex.raw(`select setval(pg_get_serial_sequence(?, 'id'), (select max(id) from ??))`, [table, table]);
    }
  }
  return Number((await knex(t.articles).count({ n: '*' }))[0].n) - start;
};

module.exports = { cloneArticles };
