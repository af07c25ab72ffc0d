/**
 * Reads table definitions from the database itself (not from Strapi's models), so Strapi's own
 * tables, plugin tables and anything else the database holds are all covered.
 * Every function takes the connection the snapshot reads through (a transaction or the SQLite copy).
 */
import type { Knex } from 'knex';
import { kindOf, pgKind } from './column-kinds';
import { swapTablesAmong } from './constants';
import type { ColumnInfo, Dialect, IndexInfo } from './types';

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  indexes: IndexInfo[];
}

export type Db = Knex | Knex.Transaction;

/** Rows of a raw query, whatever the driver's result shape. */
function rawRows(dialect: Dialect, result: any): any[] {
  if (dialect === 'postgres') return result.rows;
  if (dialect === 'mysql') return result[0];
  return result;
}

/** A raw select's rows, whatever the driver. */
export const selectRows = async (db: Db, dialect: Dialect, sql: string, bindings?: readonly Knex.RawBinding[]): Promise<any[]> =>
  rawRows(dialect, bindings ? await db.raw(sql, bindings) : await db.raw(sql));

/** The site's tables; on MySQL not those of a restore's swap in progress (swap-load.ts), which are never site data. */
export async function listTables(db: Db, dialect: Dialect): Promise<string[]> {
  let rows: any[];
  if (dialect === 'sqlite') {
    rows = await selectRows(db, dialect, "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name");
  } else if (dialect === 'postgres') {
    rows = await selectRows(
      db,
      dialect,
      "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name",
    );
  } else {
    rows = await selectRows(
      db,
      dialect,
      "select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE' order by table_name",
    );
  }
  const names = rows.map((r) => String(r.name ?? r.NAME ?? r.TABLE_NAME));
  if (dialect !== 'mysql') return names;
  const swapping = swapTablesAmong(names);
  return names.filter((n) => !swapping.has(n));
}

export async function describeTables(db: Db, dialect: Dialect, tables: string[]): Promise<TableInfo[]> {
  if (dialect === 'sqlite') return describeSqlite(db, tables);
  if (dialect === 'postgres') return describePostgres(db, tables);
  return describeMysql(db, tables);
}

async function describeSqlite(db: Db, tables: string[]): Promise<TableInfo[]> {
  const out: TableInfo[] = [];
  for (const name of tables) {
    const cols: any[] = await db.raw(`pragma table_info(${quoteSqlite(name)})`);
    const columns: ColumnInfo[] = cols.map((c) => ({
      name: c.name,
      type: String(c.type ?? ''),
      kind: kindOf('sqlite', String(c.type ?? '')),
      nullable: !c.notnull && !c.pk,
    }));
    const primaryKey = cols
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name as string);
    const indexes: IndexInfo[] = [];
    const list: any[] = await db.raw(`pragma index_list(${quoteSqlite(name)})`);
    for (const idx of list) {
      const info: any[] = await db.raw(`pragma index_info(${quoteSqlite(idx.name)})`);
      indexes.push({
        name: idx.name,
        columns: info.sort((a, b) => a.seqno - b.seqno).map((i) => i.name ?? '(expression)'),
        unique: !!idx.unique,
        primary: idx.origin === 'pk',
      });
    }
    // An INTEGER PRIMARY KEY is the rowid and has no index of its own: record it like the others.
    if (primaryKey.length && !indexes.some((i) => i.primary)) {
      indexes.push({ name: `${name}_pkey`, columns: primaryKey, unique: true, primary: true });
    }
    out.push({ name, columns, primaryKey, indexes: sortIndexes(indexes) });
  }
  return out;
}

async function describePostgres(db: Db, tables: string[]): Promise<TableInfo[]> {
  // format_type gives the full declared type, e.g. `timestamp(6) without time zone`.
  const cols = await selectRows(
    db,
    'postgres',
    `
    select c.relname as table_name, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
           t.typname as typname, not a.attnotnull as nullable
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      join pg_type t on t.oid = a.atttypid
     where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
     order by c.relname, a.attnum`,
  );
  const idx = await selectRows(
    db,
    'postgres',
    `
    select t.relname as table_name, i.relname as index_name, ix.indisunique as is_unique,
           ix.indisprimary as is_primary, a.attname as column_name, k.ord as ord
      from pg_index ix
      join pg_class t on t.oid = ix.indrelid
      join pg_class i on i.oid = ix.indexrelid
      join pg_namespace n on n.oid = t.relnamespace
      cross join lateral unnest(ix.indkey::int2[]) with ordinality as k(attnum, ord)
      left join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
     where n.nspname = current_schema()
     order by t.relname, i.relname, k.ord`,
  );
  return assemble(
    tables,
    cols.map((c: any) => ({
      table: c.table_name,
      column: {
        name: c.name,
        type: c.type,
        kind: pgKind(c.typname, c.type),
        nullable: !!c.nullable,
      },
    })),
    idx.map((r: any) => ({
      table: r.table_name,
      index: r.index_name,
      column: r.column_name ?? '(expression)',
      unique: !!r.is_unique,
      primary: !!r.is_primary,
    })),
  );
}

// Every column aliased to itself: MySQL 8 names information_schema's columns in capitals.
const MYSQL_COLUMNS = `select table_name as table_name, column_name as name, column_type as column_type, data_type as data_type,
  is_nullable as is_nullable from information_schema.columns where table_schema = database() order by table_name, ordinal_position`;
const MYSQL_INDEXES = `select table_name as table_name, index_name as index_name, non_unique as non_unique, column_name as column_name,
  seq_in_index as seq from information_schema.statistics where table_schema = database() order by table_name, index_name, seq_in_index`;

async function describeMysql(db: Db, tables: string[]): Promise<TableInfo[]> {
  const cols = await selectRows(db, 'mysql', MYSQL_COLUMNS);
  const idx = await selectRows(db, 'mysql', MYSQL_INDEXES);
  // MariaDB's JSON is LONGTEXT with a json_valid() CHECK constraint: find those columns.
  const jsonCols = new Set<string>();
  try {
    const checks = await selectRows(
      db,
      'mysql',
      `
      select table_name as table_name, check_clause as check_clause
        from information_schema.check_constraints where constraint_schema = database()`,
    );
    for (const c of checks) {
      const m = /json_valid\(`([^`]+)`\)/i.exec(String(c.check_clause));
      if (m) jsonCols.add(`${c.table_name}\u0000${m[1]}`);
    }
  } catch {
    // MySQL's check_constraints has no table_name; MySQL has a real JSON type anyway.
  }
  return assemble(
    tables,
    cols.map((c: any) => {
      const type = String(c.column_type);
      const isJson = jsonCols.has(`${c.table_name}\u0000${c.name}`);
      return {
        table: c.table_name,
        column: { name: c.name, type, kind: isJson ? 'json' : kindOf('mysql', type), nullable: c.is_nullable === 'YES' },
      };
    }),
    idx.map((r: any) => ({
      table: r.table_name,
      index: r.index_name,
      column: r.column_name ?? '(expression)',
      unique: Number(r.non_unique) === 0,
      primary: r.index_name === 'PRIMARY',
    })),
  );
}

function assemble(
  tables: string[],
  cols: { table: string; column: ColumnInfo }[],
  idx: { table: string; index: string; column: string; unique: boolean; primary: boolean }[],
): TableInfo[] {
  const byTable = new Map<string, TableInfo>();
  for (const name of tables) byTable.set(name, { name, columns: [], primaryKey: [], indexes: [] });
  for (const c of cols) byTable.get(c.table)?.columns.push(c.column);
  for (const r of idx) {
    const t = byTable.get(r.table);
    if (!t) continue;
    let index = t.indexes.find((i) => i.name === r.index);
    if (!index) {
      index = { name: r.index, columns: [], unique: r.unique, primary: r.primary };
      t.indexes.push(index);
    }
    index.columns.push(r.column);
  }
  for (const t of byTable.values()) {
    t.primaryKey = t.indexes.find((i) => i.primary)?.columns ?? [];
    t.indexes = sortIndexes(t.indexes);
  }
  return tables.map((n) => byTable.get(n)!);
}

function sortIndexes(indexes: IndexInfo[]): IndexInfo[] {
  return indexes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function quoteSqlite(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
