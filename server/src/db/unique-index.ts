/**
 * Real UNIQUE indexes for the few invariants that must hold across instances (Strapi's
 * `unique: true` is checked by Strapi, not by the database). Strapi's schema sync drops indexes
 * it does not know, so they are (re)created at every boot.
 */
import type { Core } from '@strapi/strapi';
import { errorMessage } from '../utils';

/** Unique violations per dialect: SQLite (better-sqlite3), PostgreSQL, MySQL/MariaDB. */
const UNIQUE_VIOLATION = new Set(['SQLITE_CONSTRAINT_UNIQUE', '23505', 'ER_DUP_ENTRY']);

/** True for exactly a unique violation whose message or constraint names `column` or `index`. */
export const isUniqueViolation = (error: unknown, pattern: RegExp): boolean => {
  for (let e: any = error; e; e = e.cause) {
    if (UNIQUE_VIOLATION.has(e.code) && pattern.test(`${e.message} ${e.constraint ?? ''}`)) return true;
  }
  return false;
};

/** Creates `indexName` on the column of `uid.attribute` unless it exists; tolerates a concurrent boot. */
export const ensureUniqueIndex = async (strapi: Core.Strapi, uid: string, attribute: string, indexName: string): Promise<void> => {
  const knex = strapi.db.connection;
  const { tableName, attributes } = strapi.db.metadata.get(uid as any) as any;
  const column: string = attributes[attribute]?.columnName ?? attribute;
  const schema = strapi.db.getSchemaName();
  const table = schema ? `${schema}.${tableName}` : tableName;
  try {
    if (strapi.db.dialect.client === 'mysql') {
      // MySQL has no CREATE INDEX IF NOT EXISTS.
      const [rows] = await knex.raw(
        'select count(*) as n from information_schema.statistics where table_schema = database() and table_name = ? and index_name = ?',
        [tableName, indexName]
      );
      if (Number(rows[0].n) > 0) return;
      await knex.raw('create unique index ?? on ?? (??)', [indexName, table, column]);
    } else {
      await knex.raw('create unique index if not exists ?? on ?? (??)', [indexName, table, column]);
    }
  } catch (error) {
    // Another instance booting at the same moment created it first.
    if (/already exists|Duplicate key name|ER_DUP_KEYNAME/i.test(errorMessage(error)) || (error as any)?.code === '23505') return;
    throw new Error(`[backup] could not create the unique index ${indexName} on ${tableName}(${column}): ${errorMessage(error)}`);
  }
};
