/**
 * Foreign keys during a restore. Tables are emptied and loaded in any order, with cycles and
 * self-references, so no foreign key may be enforced while rows go in; every one is checked
 * before the commit instead, and a violation rolls everything back.
 *
 * - PostgreSQL: Strapi's foreign keys are not deferrable, and turning triggers off
 *   (`session_replication_role`) needs a superuser. The keys on restored tables are dropped inside
 *   the transaction and re-created from `pg_get_constraintdef` before the commit; re-creating one
 *   validates every row, and PostgreSQL DDL is transactional, so a rollback brings them back too.
 * - MySQL/MariaDB: `FOREIGN_KEY_CHECKS=0` on the load's connection (db-load.ts); checked here with
 *   one anti-join per key, since MySQL never re-checks rows when the checks come back on.
 * - SQLite: `foreign_keys=OFF` on the load's connection, set before the transaction (it is a no-op
 *   inside one; db-load.ts); checked here with `pragma_foreign_key_check`.
 *
 * A key from a table that is not restored (the plugin's records, a table force left alone) into a
 * restored table keeps the meaning the database gives it when the referenced rows are deleted:
 * before the tables are emptied, `ON DELETE SET NULL` clears those references; any other rule with
 * references present refuses the restore. The same on the three dialects (on PostgreSQL these keys
 * stay in place, so the tables holding them are never locked by the restore).
 */
import type { Knex } from 'knex';
import { RestoreFailedError } from './errors';
import { selectRows } from './introspect';
import type { Dialect } from './types';

export type DeleteRule = 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION';

export interface ForeignKey {
  name: string;
  /** The referencing table and columns. */
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: DeleteRule;
  /** MySQL: the ON UPDATE rule, to re-create the key after a swap (swap-load.ts). */
  onUpdate?: DeleteRule;
  /** PostgreSQL: `FOREIGN KEY (…) REFERENCES …`, to re-create it. */
  definition?: string;
}

type Db = Knex | Knex.Transaction;

export function ident(dialect: Dialect, name: string): string {
  return dialect === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : `"${name.replace(/"/g, '""')}"`;
}

const PG_RULES: Record<string, DeleteRule> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

export async function listForeignKeys(db: Db, dialect: Dialect, tables: string[]): Promise<ForeignKey[]> {
  if (dialect === 'postgres') {
    const rows = await selectRows(
      db,
      dialect,
      `
      select con.conname as name, c.relname as table_name, p.relname as ref_table, con.confdeltype as del,
             pg_get_constraintdef(con.oid) as def,
             (select array_agg(a.attname::text order by k.ord) from unnest(con.conkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum) as cols,
             (select array_agg(a.attname::text order by k.ord) from unnest(con.confkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum) as ref_cols
        from pg_constraint con
        join pg_class c on c.oid = con.conrelid
        join pg_class p on p.oid = con.confrelid
        join pg_namespace n on n.oid = c.relnamespace
       where con.contype = 'f' and n.nspname = current_schema()
       order by c.relname, con.conname`,
    );
    return rows.map((r: any) => ({
      name: r.name,
      table: r.table_name,
      columns: r.cols,
      refTable: r.ref_table,
      refColumns: r.ref_cols,
      onDelete: PG_RULES[r.del] ?? 'NO ACTION',
      definition: r.def,
    }));
  }
  if (dialect === 'mysql') {
    const rows = await selectRows(
      db,
      dialect,
      `
      select rc.constraint_name as name, rc.table_name as table_name, rc.referenced_table_name as ref_table,
             rc.delete_rule as del, rc.update_rule as upd, k.column_name as col, k.referenced_column_name as ref_col
        from information_schema.referential_constraints rc
        join information_schema.key_column_usage k
          on k.constraint_schema = rc.constraint_schema and k.constraint_name = rc.constraint_name and k.table_name = rc.table_name
       where rc.constraint_schema = database()
       order by rc.table_name, rc.constraint_name, k.ordinal_position`,
    );
    const byKey = new Map<string, ForeignKey>();
    for (const r of rows) {
      const key = `${r.table_name}\u0000${r.name}`;
      let fk = byKey.get(key);
      if (!fk) {
        fk = {
          name: r.name,
          table: r.table_name,
          columns: [],
          refTable: r.ref_table,
          refColumns: [],
          onDelete: r.del as DeleteRule,
          onUpdate: r.upd as DeleteRule,
        };
        byKey.set(key, fk);
      }
      fk.columns.push(r.col);
      fk.refColumns.push(r.ref_col);
    }
    return [...byKey.values()];
  }
  const out: ForeignKey[] = [];
  for (const table of tables) {
    const rows: any[] = await db.raw('select * from pragma_foreign_key_list(?) order by id, seq', [table]);
    const byId = new Map<number, ForeignKey>();
    for (const r of rows) {
      let fk = byId.get(r.id);
      if (!fk) {
        fk = { name: `${table}#${r.id}`, table, columns: [], refTable: r.table, refColumns: [], onDelete: String(r.on_delete).toUpperCase() as DeleteRule };
        byId.set(r.id, fk);
      }
      fk.columns.push(r.from);
      fk.refColumns.push(r.to);
    }
    for (const fk of byId.values()) {
      // `REFERENCES parent` without columns means the parent's primary key.
      if (fk.refColumns.some((c) => c === null)) {
        const info: any[] = await db.raw('select name, pk from pragma_table_info(?) where pk > 0 order by pk', [fk.refTable]);
        fk.refColumns = info.map((c) => c.name);
      }
      out.push(fk);
    }
  }
  return out;
}

const allSet = (dialect: Dialect, alias: string, columns: string[]) => columns.map((c) => `${alias}.${ident(dialect, c)} is not null`).join(' and ');

/**
 * The keys from a table that is not restored into a restored one whose referencing rows the
 * restore cannot honour: any rule but `ON DELETE SET NULL` with references present refuses it.
 * Returns the keys whose references are to be cleared (SET NULL with references present).
 */
export async function outsideReferences(db: Db, dialect: Dialect, fks: ForeignKey[], restored: Set<string>): Promise<ForeignKey[]> {
  const toClear: ForeignKey[] = [];
  for (const fk of fks) {
    if (restored.has(fk.table) || !restored.has(fk.refTable)) continue;
    const t = ident(dialect, fk.table);
    const [row] = await selectRows(db, dialect, `select count(*) as n from ${t} where ${allSet(dialect, t, fk.columns)}`);
    const n = Number(row.n ?? row.N);
    if (n === 0) continue;
    if (fk.onDelete !== 'SET NULL') {
      throw new RestoreFailedError(
        `${n} row(s) of ${fk.table}, which is not restored, reference ${fk.refTable} through foreign key ${fk.name} ` +
          `(ON DELETE ${fk.onDelete}): restoring ${fk.refTable} would delete the rows they reference. Nothing was changed.`,
      );
    }
    toClear.push(fk);
  }
  return toClear;
}

/** Clears the references of a key, as its ON DELETE SET NULL does when every referenced row goes. */
export async function clearReferences(db: Db, dialect: Dialect, fk: Pick<ForeignKey, 'table' | 'columns'>): Promise<void> {
  const t = ident(dialect, fk.table);
  await db.raw(`update ${t} set ${fk.columns.map((c) => `${ident(dialect, c)} = null`).join(', ')} where ${allSet(dialect, t, fk.columns)}`);
}

/**
 * Applies the delete rule of every key from a table that is not restored into a restored one, as
 * if the referenced rows were deleted (they are: the table is emptied). Runs before the emptying.
 */
export async function applyOutsideRules(db: Db, dialect: Dialect, fks: ForeignKey[], restored: Set<string>): Promise<string[]> {
  const cleared = await outsideReferences(db, dialect, fks, restored);
  for (const fk of cleared) await clearReferences(db, dialect, fk);
  return cleared.map((fk) => `${fk.table}.${fk.columns.join('+')}`);
}

/** PostgreSQL: drops the keys of restored tables (to be re-created by `recreateForeignKeys`). */
export async function dropForeignKeys(db: Db, fks: ForeignKey[], restored: Set<string>): Promise<ForeignKey[]> {
  const dropped = fks.filter((fk) => restored.has(fk.table));
  for (const fk of dropped) {
    await db.raw(`alter table ${ident('postgres', fk.table)} drop constraint ${ident('postgres', fk.name)}`);
  }
  return dropped;
}

/** PostgreSQL: re-creates the dropped keys; each one validates every row of its table. */
export async function recreateForeignKeys(db: Db, dropped: ForeignKey[]): Promise<void> {
  for (const fk of dropped) {
    try {
      await db.raw(`alter table ${ident('postgres', fk.table)} add constraint ${ident('postgres', fk.name)} ${fk.definition}`);
    } catch (err) {
      throw violation(fk, (err as any).detail ?? (err as Error).message, err);
    }
  }
}

/**
 * MySQL / SQLite: checks every key of the restored tables, since none was enforced during the load.
 * `at` names the table that holds a table's rows now (MySQL's swap loads into new tables).
 */
export async function checkForeignKeys(
  db: Db,
  dialect: Dialect,
  fks: ForeignKey[],
  restored: Set<string>,
  at: (table: string) => string = (table) => table,
): Promise<void> {
  if (dialect === 'sqlite') {
    for (const table of restored) {
      const rows: any[] = await db.raw('select * from pragma_foreign_key_check(?) limit 1', [table]);
      if (rows.length) {
        const fk = fks.find((k) => k.table === table && k.name === `${table}#${rows[0].fkid}`);
        throw violation(fk ?? { name: `#${rows[0].fkid}`, table, refTable: rows[0].parent }, `row ${rows[0].rowid} references a missing ${rows[0].parent} row`);
      }
    }
    return;
  }
  for (const fk of fks) {
    if (!restored.has(fk.table)) continue;
    const c = ident(dialect, 'c');
    const p = ident(dialect, 'p');
    const join = fk.columns.map((col, i) => `${p}.${ident(dialect, fk.refColumns[i])} = ${c}.${ident(dialect, col)}`).join(' and ');
    // A left join, not `not exists (…)`: MariaDB materialises that subquery by scanning a
    // secondary index of the referenced table, and in this transaction, which has just rewritten
    // every row, each index entry costs a lookup of its row (the bench's size 5 on MariaDB:
    // 1.0-1.6 s per key into its 100,000 articles, 0.5 s as a join on the primary key).
    const rows = await selectRows(
      db,
      dialect,
      `select ${fk.columns.map((col) => `${c}.${ident(dialect, col)}`).join(', ')} from ${ident(dialect, at(fk.table))} ${c}
        left join ${ident(dialect, at(fk.refTable))} ${p} on ${join}
        where ${allSet(dialect, c, fk.columns)} and ${p}.${ident(dialect, fk.refColumns[0])} is null limit 1`,
    );
    if (rows.length) {
      const values = fk.columns.map((col) => `${col}=${rows[0][col]}`).join(', ');
      throw violation(fk, `a row with ${values} references a missing ${fk.refTable} row`);
    }
  }
}

function violation(fk: Pick<ForeignKey, 'name' | 'table' | 'refTable'>, detail: string, cause?: unknown): RestoreFailedError {
  return new RestoreFailedError(
    `foreign key ${fk.name} of ${fk.table} → ${fk.refTable} does not hold after the load (${detail}); the restore was rolled back`,
    { cause },
  );
}
