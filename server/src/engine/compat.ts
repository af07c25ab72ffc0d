/**
 * Compatibility of an archive with the database it would be restored into, and the plan a
 * restore follows: which tables are emptied and loaded, with which columns.
 *
 * Tables and columns are compared by name, and each common column by its portable `kind` (the
 * family its values are encoded from): a column whose kind changed cannot take the archived
 * values as they are. `keepTables` (the plugin's own tables) and the tables the backup's profile
 * excluded are ignored on both sides: a restore leaves them as they are.
 *
 * Another database dialect is an error that `force` cannot override: the encoding keeps each
 * database's own text forms (SQLite datetimes are epoch milliseconds, MySQL booleans are
 * integers, PostgreSQL arrays are `{…}` literals), so loading them elsewhere would not fail but
 * store wrong values.
 */
import { describeTables, listTables } from './introspect';
import type { ColumnInfo, Dialect, Manifest } from './types';
import type { Knex } from 'knex';

export interface PlannedTable {
  name: string;
  /** Archive columns loaded, in the archive's order (all of them unless force skipped some). */
  columns: ColumnInfo[];
  rows: number;
  sha256: string;
}

export interface RestorePlan {
  /** Not overridable by force. */
  errors: string[];
  /** One line per difference; force restores the common part. */
  differences: string[];
  tables: PlannedTable[];
  skippedTables: string[];
  /** `table.column` */
  skippedColumns: string[];
  /** Database tables the archive lacks (left as they are). */
  untouched: string[];
  /** Every table of the database, for foreign keys that reach outside the restored set. */
  databaseTables: string[];
}

const q = JSON.stringify;

export async function planRestore(db: Knex | Knex.Transaction, dialect: Dialect, manifest: Manifest, keepTables: readonly string[] = []): Promise<RestorePlan> {
  const plan: RestorePlan = {
    errors: [],
    differences: [],
    tables: [],
    skippedTables: [],
    skippedColumns: [],
    untouched: [],
    databaseTables: [],
  };
  if (manifest.dialect !== dialect) {
    plan.errors.push(`the archive was made on ${manifest.dialect} and this database is ${dialect}: restoring across database dialects is not supported`);
    return plan;
  }
  const databaseTables = await listTables(db, dialect);
  plan.databaseTables = databaseTables;
  const includesDatabase = manifest.contents?.database ?? manifest.tables.length > 0;
  if (!includesDatabase) return plan; // the archive has no database: nothing to compare or load

  const ignored = new Set([...keepTables, ...(manifest.contents?.excludedTables ?? [])]);
  const inDatabase = new Set(databaseTables.filter((t) => !ignored.has(t)));
  const archived = manifest.tables.filter((t) => !ignored.has(t.name));
  const inArchive = new Set(archived.map((t) => t.name));

  const common = archived.filter((t) => inDatabase.has(t.name));
  const infos = new Map(
    (
      await describeTables(
        db,
        dialect,
        common.map((t) => t.name),
      )
    ).map((i) => [i.name, i]),
  );

  for (const t of archived) {
    if (!inDatabase.has(t.name)) {
      plan.differences.push(`table ${q(t.name)} is in the archive but not in the database`);
      plan.skippedTables.push(t.name);
      continue;
    }
    const info = infos.get(t.name)!;
    const current = new Map(info.columns.map((c) => [c.name, c]));
    const columns: ColumnInfo[] = [];
    for (const c of t.columns) {
      const now = current.get(c.name);
      if (!now) {
        plan.differences.push(`table ${q(t.name)}: column ${q(c.name)} is in the archive but not in the database`);
        plan.skippedColumns.push(`${t.name}.${c.name}`);
      } else if (now.kind !== c.kind) {
        plan.differences.push(`table ${q(t.name)}: column ${q(c.name)} is ${c.kind} (${c.type}) in the archive but ${now.kind} (${now.type}) in the database`);
        plan.skippedColumns.push(`${t.name}.${c.name}`);
      } else {
        columns.push(c);
      }
    }
    const archivedColumns = new Set(t.columns.map((c) => c.name));
    for (const c of info.columns) {
      if (!archivedColumns.has(c.name)) {
        plan.differences.push(`table ${q(t.name)}: column ${q(c.name)} is in the database but not in the archive`);
      }
    }
    if (columns.length === 0) {
      plan.differences.push(`table ${q(t.name)} has no column in common with the archive`);
      plan.skippedTables.push(t.name);
      continue;
    }
    plan.tables.push({ name: t.name, columns, rows: t.rows, sha256: t.sha256 });
  }
  for (const name of inDatabase) {
    if (!inArchive.has(name)) {
      plan.differences.push(`table ${q(name)} is in the database but not in the archive`);
      plan.untouched.push(name);
    }
  }
  // Excluded by the backup's profile: expected to be absent, left as they are, not a difference.
  for (const name of manifest.contents?.excludedTables ?? []) {
    if (databaseTables.includes(name) && !keepTables.includes(name)) plan.untouched.push(name);
  }
  plan.untouched.sort();
  return plan;
}
