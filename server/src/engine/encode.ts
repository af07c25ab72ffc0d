/**
 * ## How values are encoded in `db/<table>.ndjson.gz`
 *
 * Each table entry is gzip-compressed NDJSON: one JSON object per row, keys are the column names
 * in the table's column order, rows in primary-key order. A value is encoded from the column's
 * portable `kind` (recorded in the manifest with the database's own type name), so that a restore
 * can put back exactly what was read:
 *
 * | kind | encoding |
 * |---|---|
 * | `null` (any kind) | JSON `null` |
 * | `integer` | JSON number (32-bit and smaller integers are exact in JSON) |
 * | `bigint` | decimal **string**, e.g. `"9007199254740993"` — never a number, which would lose digits beyond 2^53 (read as text in SQL: pg `::text`, MySQL `CAST(… AS CHAR)`, SQLite `CAST(… AS TEXT)`) |
 * | `decimal` | decimal string as the database prints it (`"12.50"`), read as text in SQL |
 * | `float` | JSON number (on PostgreSQL as the server spells it, e.g. `1e-05`); `NaN`/`Infinity` (PostgreSQL only) as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` |
 * | `boolean` | `true` / `false` (MySQL `tinyint(1)` and SQLite `0`/`1` are normalised) |
 * | `json` | the column's **text** as a JSON string, exactly as the database prints it (read as text in SQL on PostgreSQL/MySQL; on SQLite the stored value as it is, a number stays a number); the manifest marks these columns `"encoding": "text"`. Archives without the mark hold the parsed JSON value instead, which loses what parsing loses: spaces and key order of JSON kept as text, digits past 2^53, a JSON `null` against SQL NULL, and text that is not JSON (Strapi stores a JSON field set to a plain string that way on SQLite) |
 * | `binary` | base64 string |
 * | `datetime`, `date`, `time` | the database's own text form, read with a cast so no precision or zone is lost: PostgreSQL `"col"::text` (`2024-05-01 10:20:30.123456` or `…+00` for `timestamptz`), MySQL `CAST(col AS CHAR)`; on SQLite the value exactly as stored (Strapi stores epoch milliseconds as numbers, or ISO strings) |
 * | `string`, `text` | JSON string |
 * | `other` | PostgreSQL: its text form (`::text`, e.g. arrays, intervals); elsewhere the driver value (Buffers as base64) |
 */
import type { Knex } from 'knex';
import type { ColumnInfo, Dialect } from './types';

/** Kinds read as text in SQL so the driver (or PostgreSQL's JSON) never converts (and loses) them. */
export function castsToText(dialect: Dialect, kind: ColumnInfo['kind']): boolean {
  switch (kind) {
    case 'bigint':
    case 'decimal':
      return true;
    case 'json':
      // SQLite (and MariaDB's LONGTEXT) already return text; MySQL JSON / pg json would be parsed.
      return dialect !== 'sqlite';
    case 'datetime':
    case 'date':
    case 'time':
      // SQLite: keep the stored value (number or string) as it is.
      return dialect !== 'sqlite';
    case 'other':
      return dialect === 'postgres';
    default:
      return false;
  }
}

/**
 * The select list for a table read by the driver (SQLite, MySQL; PostgreSQL's is pg-copy.ts's):
 * plain columns, or `CAST(col AS text) AS col` where the kind needs the database's text form.
 * Columns are qualified with the table name so that ORDER BY / WHERE on the same names refer to
 * the real column, not to the text alias.
 */
export function selectList(knex: Knex | Knex.Transaction, dialect: Dialect, table: string, columns: ColumnInfo[]): Knex.Raw[] {
  return columns.map((c) => {
    if (!castsToText(dialect, c.kind)) return knex.raw('??.?? as ??', [table, c.name, c.name]);
    if (dialect === 'mysql') return knex.raw('cast(??.?? as char) as ??', [table, c.name, c.name]);
    return knex.raw('cast(??.?? as text) as ??', [table, c.name, c.name]);
  });
}

/** Encodes one value of a driver row (as selected by `selectList`) into its JSON-safe form. */
export function encodeValue(kind: ColumnInfo['kind'], value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'binary':
      if (Buffer.isBuffer(value)) return value.toString('base64');
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      return Buffer.from(String(value), 'utf8').toString('base64');
    case 'bigint':
    case 'decimal':
      return typeof value === 'string' ? value : String(value);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') return value === 't' || value === 'true' || (value !== '' && Number(value) !== 0 && value !== 'f' && value !== 'false');
      if (Buffer.isBuffer(value)) return value.some((b) => b !== 0); // MySQL BIT(1)
      return Number(value) !== 0;
    case 'json':
      if (typeof value === 'string') {
        try {
          return JSON.parse(value);
        } catch {
          return value; // not JSON (possible where JSON is only text): keep the text
        }
      }
      if (Buffer.isBuffer(value)) return encodeValue('json', value.toString('utf8'));
      return value;
    case 'float':
      if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
      return typeof value === 'string' ? Number(value) : value;
    default:
      return encodeOther(value);
  }
}

function encodeOther(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A json column's value as its text (see the table above): what a restore puts back as it is. */
export function encodeJsonText(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'object' ? JSON.stringify(value) : value;
}

/** The columns a backup dumps, with json columns marked to be archived as their text. */
export function withTextJson(columns: ColumnInfo[]): ColumnInfo[] {
  return columns.map((c) => (c.kind === 'json' ? { ...c, encoding: 'text' as const } : c));
}

/** Encodes a driver row into the object written as one NDJSON line. */
export function encodeRow(columns: ColumnInfo[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c.name] = c.encoding === 'text' ? encodeJsonText(row[c.name]) : encodeValue(c.kind, row[c.name]);
  return out;
}
