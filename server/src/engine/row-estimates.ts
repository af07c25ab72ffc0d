import type { Dialect } from './types';
import { selectRows, type Db } from './introspect';

/**
 * Estimated rows per table, only for progress. PostgreSQL and MySQL keep statistics (cheap, may be
 * stale or -1); the SQLite copy is counted exactly (it is local and fast).
 */
export async function estimateRows(db: Db, dialect: Dialect, tables: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    if (dialect === 'postgres') {
      const rows = await selectRows(
        db,
        dialect,
        `
        select c.relname as name, c.reltuples::bigint as n from pg_class c
          join pg_namespace ns on ns.oid = c.relnamespace
         where ns.nspname = current_schema() and c.relkind in ('r', 'p')`,
      );
      for (const r of rows) out.set(r.name, Math.max(0, Number(r.n)));
    } else if (dialect === 'mysql') {
      const rows = await selectRows(db, dialect, 'select table_name as name, table_rows as n from information_schema.tables where table_schema = database()');
      for (const r of rows) out.set(r.name, Math.max(0, Number(r.n) || 0));
    } else {
      for (const t of tables) {
        const [r] = await db(t).count({ n: '*' });
        out.set(t, Number((r as any).n) || 0);
      }
    }
  } catch {
    // Estimates only drive the progress bar; a failure here must not fail the backup.
  }
  return out;
}
