/**
 * The portable kind of a column, from its database type name: what decides how its values are
 * encoded in an archive and decoded on load, whatever the dialect (introspect.ts reads the names).
 */
import type { ColumnInfo, Dialect } from './types';

/** Maps a database type name to the portable kind that decides how values are encoded. */
export function kindOf(dialect: Dialect, type: string): ColumnInfo['kind'] {
  const t = type.toLowerCase().trim();
  if (dialect === 'mysql' && /^tinyint\(1\)/.test(t)) return 'boolean';
  if (t.includes('bool')) return 'boolean';
  if (t.includes('json')) return 'json';
  if (t === 'bytea' || t.includes('blob') || /^(var)?binary/.test(t)) return 'binary';
  if (/^(bigint|int8|bigserial)\b/.test(t)) return 'bigint';
  if (/^(numeric|decimal)\b/.test(t)) return 'decimal';
  if (/^(real|float|double)/.test(t)) return 'float';
  if (/^(timestamp|datetime)/.test(t)) return 'datetime';
  if (/^date\b/.test(t)) return 'date';
  if (/^time\b/.test(t)) return 'time';
  if (/^(integer|int|smallint|tinyint|mediumint|serial|smallserial|int2|int4|year)\b/.test(t) || t === 'int') return 'integer';
  if (/^(character varying|varchar|character|char|nvarchar|nchar|uuid|enum|set)\b/.test(t)) return 'string';
  if (/(text|clob)/.test(t)) return 'text';
  // SQLite accepts any type name; fall back on its affinity rules for the rest.
  if (dialect === 'sqlite') {
    if (t === '') return 'other';
    if (t.includes('int')) return 'integer';
    if (/char|clob|text/.test(t)) return 'text';
    if (/real|floa|doub/.test(t)) return 'float';
  }
  return 'other';
}

/** The kind of a PostgreSQL column from its `pg_type.typname`, more exact than its type name. */
export function pgKind(typname: string, type: string): ColumnInfo['kind'] {
  if (typname.startsWith('_')) return 'other'; // arrays: kept as PostgreSQL's text form
  switch (typname) {
    case 'int2':
    case 'int4':
      return 'integer';
    case 'int8':
      return 'bigint';
    case 'numeric':
      return 'decimal';
    case 'float4':
    case 'float8':
      return 'float';
    case 'bool':
      return 'boolean';
    case 'json':
    case 'jsonb':
      return 'json';
    case 'bytea':
      return 'binary';
    case 'timestamp':
    case 'timestamptz':
      return 'datetime';
    case 'date':
      return 'date';
    case 'time':
    case 'timetz':
      return 'time';
    case 'varchar':
    case 'bpchar':
    case 'char':
    case 'uuid':
    case 'name':
      return 'string';
    case 'text':
      return 'text';
    default:
      return kindOf('postgres', type) === 'other' ? 'other' : kindOf('postgres', type);
  }
}
