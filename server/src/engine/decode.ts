/**
 * The inverse of encode.ts: turns one value of an NDJSON row back into what the database driver
 * must be given so that the database stores exactly what was read (same dialect).
 *
 * | kind | archived as | given to the driver |
 * |---|---|---|
 * | any | `null` | `null` |
 * | `integer`, `float` | JSON number | the number (`"NaN"`, `"Infinity"`, `"-Infinity"`: the string, which PostgreSQL parses) |
 * | `bigint`, `decimal` | decimal string | the string: the database parses it exactly (a JS number would round past 2^53) |
 * | `boolean` | `true` / `false` | the boolean (bound as 1/0 on SQLite and MySQL) |
 * | `json` | the column's text (`encoding: "text"`) | as archived: the database parses its own text again (SQLite: a stored number stays a number) |
 * | `json`, older archives | the parsed JSON value | its JSON text: an object or array given as such would be turned into a PostgreSQL array literal or a column list by the drivers |
 * | `binary` | base64 | a Buffer |
 * | `datetime`, `date`, `time` | the database's text form (SQLite: the stored number or string) | as archived: the same database parses its own text form back to the same value, and SQLite stores the number or string it was given |
 * | `string`, `text` | string | the string |
 * | `other` | PostgreSQL's text form; elsewhere the driver's value | as archived (PostgreSQL parses its text form by the column's type); MySQL `bit` and geometry columns: base64 → Buffer; SQLite (untyped columns): whole numbers as BigInt, so they are stored as INTEGER again |
 */
import type { ColumnInfo, Dialect } from './types';

export type Decoder = (value: unknown) => unknown;

const identity: Decoder = (v) => v;

const base64: Decoder = (v) => (typeof v === 'string' ? Buffer.from(v, 'base64') : v);

const jsonText: Decoder = (v) => (v === null ? null : JSON.stringify(v));

const text: Decoder = (v) => (v === null || typeof v === 'string' ? v : String(v));

const sqliteAny: Decoder = (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v);

const bool: Decoder = (v) => (v === null || typeof v === 'boolean' ? v : Boolean(v));

/** MySQL types the mysql2 driver returns as Buffers (encoded as base64 by `other`). */
const MYSQL_BINARY_OTHER = /^(bit|geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection)\b/i;

/** The decoder for one column of the archive. */
export function decoderFor(dialect: Dialect, column: ColumnInfo): Decoder {
  switch (column.kind) {
    case 'binary':
      return base64;
    case 'json':
      return column.encoding === 'text' ? identity : jsonText;
    case 'bigint':
    case 'decimal':
      // Always strings in archives we write; a number (hand-made archive) is given as text too.
      return text;
    case 'boolean':
      return bool;
    case 'other':
      if (dialect === 'mysql' && MYSQL_BINARY_OTHER.test(column.type)) return base64;
      // An untyped SQLite column stores what it is given: better-sqlite3 binds every JS number as
      // a REAL, so an integer must go in as a BigInt to come back an INTEGER.
      if (dialect === 'sqlite') return sqliteAny;
      return identity;
    default:
      return identity;
  }
}

/**
 * Decodes NDJSON rows of one table into value arrays in `columns` order. A line that is not an
 * object, or lacks a column, is an error (archives we write have every column on every line).
 */
export class RowDecoder {
  private readonly names: string[];
  private readonly decoders: Decoder[];

  constructor(
    dialect: Dialect,
    readonly table: string,
    columns: ColumnInfo[],
  ) {
    this.names = columns.map((c) => c.name);
    this.decoders = columns.map((c) => decoderFor(dialect, c));
  }

  /** Parses one line (without its newline) into values; `line` is its 1-based number, for errors. */
  decode(text: string, line: number): unknown[] {
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (err) {
      throw new Error(`table ${this.table}, row ${line}: not valid JSON (${(err as Error).message})`, { cause: err });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new Error(`table ${this.table}, row ${line}: not a JSON object`);
    }
    const obj = row as Record<string, unknown>;
    const out = new Array<unknown>(this.names.length);
    for (let i = 0; i < this.names.length; i += 1) {
      const v = obj[this.names[i]];
      if (v === undefined) throw new Error(`table ${this.table}, row ${line}: column ${this.names[i]} is missing`);
      out[i] = v === null ? null : this.decoders[i](v);
    }
    return out;
  }
}
