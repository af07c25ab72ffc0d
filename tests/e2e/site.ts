/** The test site the e2e scenario runs on: its content paths, an editor's rights, and a bulk table that makes jobs last. */

/**
 * A bulk table's size. The backups of the first tests must last tens of seconds (44 s on 2 cores),
 * so a second request waits and the first is still running when a later test cancels the second.
 * A dump's time goes per row, while the SQLite copy before it (held to a share of the site's busy
 * timeout) goes per byte: rows without text, 30 million in a 300 MB file. (6 million rows of text
 * lasted 12 s once rows were dumped in a worker thread, ending too early on CI; 20 million of text
 * made a 1.5 GB file the copy gave up on.)
 */
export type Bulk = { rows: number; text: boolean };
export const BULK: Bulk = { rows: Number(process.env.E2E_BULK_ROWS ?? 30_000_000), text: false };
/** Rows enough that a restore (its safety backup, then its load) lasts a few seconds: the modal can be seen following it. */
export const RESTORE_BULK: Bulk = { rows: Number(process.env.E2E_RESTORE_BULK_ROWS ?? 300_000), text: true };

/** The Content Manager's admin API for articles, and its edit view of a new one. */
export const ARTICLES = '/content-manager/collection-types/api::article.article';
export const EDIT_VIEW = `/admin${ARTICLES}/create`;

/** An editor of articles as a site would set one up: Content Manager rights, no backup permission at all. */
export const ARTICLE_EDITOR = ['read', 'create', 'update'].map((action) => ({
  action: `plugin::content-manager.explorer.${action}`,
  subject: 'api::article.article',
  properties: { fields: ['title', 'slug', 'body'] },
}));

/**
 * A table the backups include and Strapi leaves alone (it never tracked it), of `rows` rows (their
 * text, or NULL). Done
 * again on the running app, it replaces the table in one short write (Strapi's SQLite connection
 * waits out the lock).
 */
export const seedBulkTable = async (file: string, { rows, text }: Bulk = BULK) => {
  const Database = require('better-sqlite3');
  const db = new Database(file, { timeout: 30_000 });
  db.transaction(() => {
    db.exec('DROP TABLE IF EXISTS bulk_rows; CREATE TABLE bulk_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, payload VARCHAR(200))');
    db.prepare(
      `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
       INSERT INTO bulk_rows (payload) SELECT CASE WHEN ? THEN 'row ' || x || ' lorem ipsum dolor sit amet consectetur adipiscing elit' END FROM n`,
    ).run(rows, text ? 1 : 0);
  })();
  db.close();
};
