/**
 * The state of a test site, to compare before and after a restore: a checksum of every table's
 * rows in order, computed in SQL text forms that show any difference in type or precision
 * (SQLite `quote()` tells 1 from 1.0 from '1'; PostgreSQL's row text form; MySQL's text and hex),
 * and the sha256 of every file under a directory.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { describeTables, listTables } from '../../server/src/engine/introspect';
import type { TestDialect } from './databases';

const id = (dialect: TestDialect, name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);

/**
 * Rows Strapi rewrites on its own timer, whatever anyone does: the upload plugin's weekly metrics
 * job (registered at each boot on `strapi.cron`, first fire within minutes) stores its next run and
 * last update in the core store. A comparison across a restore must not count them.
 */
const VOLATILE_ROWS: Record<string, { column: string; value: string }> = {
  strapi_core_store_settings: { column: 'key', value: 'plugin_upload_metrics' },
};

/** sha256 of the ordered rows of `table` (and its row count), read in exact text forms. */
export async function tableChecksum(knex: Knex, dialect: TestDialect, table: string): Promise<string> {
  const [info] = await describeTables(knex, dialect, [table]);
  const order = info.primaryKey.length ? info.primaryKey : info.columns.map((c) => c.name);
  const exprs = info.columns.map((c) => {
    const col = id(dialect, c.name);
    if (dialect === 'sqlite') return `quote(${col})`;
    if (dialect === 'postgres') return `${col}::text`;
    return c.kind === 'binary' ? `hex(${col})` : `cast(${col} as char)`;
  });
  const orderBy = order.map((c) => {
    const kind = info.columns.find((x) => x.name === c)?.kind;
    return dialect === 'postgres' && kind === 'json' ? `${id(dialect, c)}::text` : id(dialect, c);
  });
  const volatile = VOLATILE_ROWS[table];
  const where = volatile ? ` where ${id(dialect, volatile.column)} <> ?` : '';
  const sql = `select ${exprs.map((e, i) => `${e} as c${i}`).join(', ')} from ${id(dialect, table)}${where} order by ${orderBy.join(', ')}`;
  const result: any = await knex.raw(sql, volatile ? [volatile.value] : []);
  const rows: any[] = dialect === 'postgres' ? result.rows : dialect === 'mysql' ? result[0] : result;
  const hash = createHash('sha256');
  for (const r of rows) hash.update(JSON.stringify(info.columns.map((_, i) => r[`c${i}`])) + '\n');
  return `${rows.length}:${hash.digest('hex')}`;
}

/** Checksums of every table (or of `tables`). */
export async function databaseState(knex: Knex, dialect: TestDialect, tables?: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables ?? (await listTables(knex, dialect))) out[t] = await tableChecksum(knex, dialect, t);
  return out;
}

/** `relative path → sha256` of every regular file under `dir` (symlinks shown as `-> target`). */
export async function filesState(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    const entries = await fs.promises.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(dir, r);
      if (e.isSymbolicLink()) out[r] = `-> ${await fs.promises.readlink(abs)}`;
      else if (e.isDirectory()) await walk(r);
      else
        out[r] = createHash('sha256')
          .update(await fs.promises.readFile(abs))
          .digest('hex');
    }
  };
  await walk('');
  return out;
}
