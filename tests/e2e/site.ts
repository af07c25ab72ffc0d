/** The test site the e2e scenario runs on: its content paths, an editor's rights, and a bulk table that makes jobs last. */

/** Rows enough that a backup of them runs for tens of seconds here, so a second request waits. */
export const BULK_ROWS = Number(process.env.E2E_BULK_ROWS ?? 6_000_000);
/** Rows enough that a restore (its safety backup, then its load) lasts a few seconds: the modal can be seen following it. */
export const RESTORE_BULK_ROWS = Number(process.env.E2E_RESTORE_BULK_ROWS ?? 300_000);

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
 * A table the backups include and Strapi leaves alone (it never tracked it), of `rows` rows. Done
 * again on the running app, it replaces the table in one short write (Strapi's SQLite connection
 * waits out the lock).
 */
export const seedBulkTable = async (file: string, rows = BULK_ROWS) => {
  const Database = require('better-sqlite3');
  const db = new Database(file, { timeout: 30_000 });
  db.transaction(() => {
    db.exec('DROP TABLE IF EXISTS bulk_rows; CREATE TABLE bulk_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, payload VARCHAR(200))');
    db.prepare(
      `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
       INSERT INTO bulk_rows (payload) SELECT 'row ' || x || ' lorem ipsum dolor sit amet consectetur adipiscing elit' FROM n`,
    ).run(rows);
  })();
  db.close();
};
