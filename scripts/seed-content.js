'use strict';
/**
 * Fills a booted playground app with generated content: authors, categories, articles with a
 * cover (media), categories (relation) and an SEO component, pages (drafts and published, two
 * locales, a dynamic zone, nested components with media and relations), and upload files registered in
 * Strapi's `files` table. Used by `npm run playground:seed`, the tests and the benchmark.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const WORDS =
  'backup restore queue media content strapi site owner archive table column index stream snapshot worker schedule profile record status cancel verify manifest'.split(
    ' ',
  );

const sentence = (rng, words) => Array.from({ length: words }, () => WORDS[rng() % WORDS.length]).join(' ');

/** Deterministic numbers, so two seeds of the same size give the same text. */
const lcg = (seed) => {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
};

/** Writes `size` bytes of random (incompressible) data, in chunks, never the whole file in memory. */
const writeRandomFile = async (file, size) => {
  const handle = await fs.promises.open(file, 'w');
  try {
    for (let written = 0; written < size; ) {
      const chunk = crypto.randomBytes(Math.min(1 << 20, size - written));
      await handle.write(chunk);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
};

/** Registers a file the way the upload plugin's local provider stores it. */
const createUpload = async (strapi, index, size) => {
  const hash = `seed_${index}_${crypto.randomBytes(5).toString('hex')}`;
  const ext = '.bin';
  const dir = path.join(strapi.dirs.static.public, 'uploads');
  await fs.promises.mkdir(dir, { recursive: true });
  await writeRandomFile(path.join(dir, `${hash}${ext}`), size);
  return strapi.documents('plugin::upload.file').create({
    data: {
      name: `seed-${index}${ext}`,
      hash,
      ext,
      mime: 'application/octet-stream',
      size: Math.round((size / 1000) * 100) / 100,
      url: `/uploads/${hash}${ext}`,
      provider: 'local',
      folderPath: '/',
    },
  });
};

/**
 * @param {import('@strapi/strapi').Core.Strapi} strapi
 * @param {{ articles?: number, pages?: number, uploads?: number, uploadSize?: number, largeUploads?: number, largeUploadSize?: number, log?: (m: string) => void }} options
 */
const seedContent = async (strapi, options = {}) => {
  const { articles = 20, uploads = 5, uploadSize = 20 * 1024, largeUploads = 0, largeUploadSize = 10 * 1024 * 1024, pages = 4, log = () => {} } = options;
  const rng = lcg(42);
  const files = [];
  for (let i = 0; i < largeUploads; i += 1) files.push(await createUpload(strapi, `large${i}`, largeUploadSize));
  for (let i = 0; i < uploads; i += 1) files.push(await createUpload(strapi, i, uploadSize));
  log(`${files.length} uploads`);

  const authors = [];
  for (let i = 0; i < 5; i += 1) {
    authors.push(await strapi.documents('api::author.author').create({ data: { name: `Author ${i}`, email: `author${i}@example.com` } }));
  }
  const categories = [];
  for (const name of ['News', 'Guides', 'Releases']) {
    categories.push(await strapi.documents('api::category.category').create({ data: { name } }));
  }

  // Articles go in transactions of 500: one commit per row would make large seeds take minutes.
  const created = [];
  for (let start = 0; start < articles; start += 500) {
    const end = Math.min(articles, start + 500);
    await strapi.db.transaction(async () => {
      for (let i = start; i < end; i += 1) {
        const title = `Article ${i}: ${sentence(rng, 5)}`;
        const article = await strapi.documents('api::article.article').create({
          data: {
            title,
            slug: `article-${i}`,
            body: Array.from({ length: 16 }, () => sentence(rng, 20)).join('.\n'),
            views: String(9007199254740993n + BigInt(i)),
            featured: i % 3 === 0,
            metadata: { index: i, tags: [WORDS[i % WORDS.length]], nested: { ok: true } },
            publishedOn: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60, 123)).toISOString(),
            author: authors[i % authors.length].documentId,
            categories: [categories[i % categories.length].documentId],
            cover: files.length ? files[i % files.length].id : null,
            seo: { metaTitle: title.slice(0, 60), metaDescription: sentence(rng, 12) },
          },
        });
        if (created.length < 50) created.push(article);
      }
    });
    log(`${end}/${articles} articles`);
  }
  const pageIds = await seedPages(strapi, { pages, files, articles: created, rng });
  log(`${pageIds.length} pages in 2 locales`);
  await poolIdle(strapi);
  return { authors, categories, files, articles: created, pages: pageIds };
};

/**
 * Pages: what a real site's schema holds beside plain entries — draft and published versions, two
 * locales, a dynamic zone of components nested two deep, media inside components (the polymorphic
 * `files_related_mph` links) and relations from components.
 */
const seedPages = async (strapi, { pages, files, articles, rng }) => {
  if (pages === 0) return [];
  const locales = strapi.plugin('i18n').service('locales');
  if (!(await locales.findByCode('fr'))) await locales.create({ code: 'fr', name: 'French (fr)' });
  const media = (i) => (files.length ? files[i % files.length].id : null);
  const article = (i) => (articles.length ? articles[i % articles.length].documentId : null);
  const data = (i, lang) => ({
    title: `Page ${i} (${lang})`,
    slug: `page-${i}-${lang}`,
    blocks: [
      {
        __component: 'blocks.hero',
        heading: `Hero ${i} ${lang}`,
        image: media(i),
        links: [
          { label: `Read ${i}`, url: `/articles/${i}`, icon: media(i + 1), article: article(i) },
          { label: 'Home', url: '/', icon: null, article: null },
        ],
      },
      { __component: 'blocks.text', body: sentence(rng, 30) },
    ],
    seo: { metaTitle: `Page ${i} ${lang}`, metaDescription: sentence(rng, 8) },
    related: articles.slice(0, 2).map((a) => a.documentId),
  });
  const documents = strapi.documents('api::page.page');
  const ids = [];
  for (let i = 0; i < pages; i += 1) {
    const page = await documents.create({ data: data(i, 'en'), locale: 'en' });
    await documents.update({ documentId: page.documentId, locale: 'fr', data: data(i, 'fr') });
    // Every other page is published (a draft and a published row per locale); the rest stay drafts.
    if (i % 2 === 0) await documents.publish({ documentId: page.documentId, locale: '*' });
    ids.push(page.documentId);
  }
  return ids;
};

/**
 * Strapi emits each entry's events after its transaction commits, without awaiting them; they
 * still query the database. Wait until the pool has been idle for a few turns, so a caller can
 * destroy the app without aborting them.
 */
const poolIdle = async (strapi, turns = 5) => {
  const pool = strapi.db.connection.client.pool;
  for (let idle = 0; idle < turns; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    idle = pool.numUsed() === 0 && pool.numPendingAcquires() === 0 ? idle + 1 : 0;
  }
};

module.exports = { seedContent, writeRandomFile, poolIdle };
