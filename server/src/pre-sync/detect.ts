/**
 * Decides, before Strapi's schema sync, whether this boot will change the database, with the
 * same inputs Strapi's own `db.schema.sync()` is about to use: pending migrations, the stored
 * schema hash against the new schema's, and — only when those differ — Strapi's own three-way
 * diff, which names exactly the tables and columns the sync will drop.
 *
 * The no-change path costs a core-store read, the migration check, a hash read and hashing the
 * new schema (which Strapi builds anyway, and caches, for its sync): ~5–30 ms measured.
 */
import type { Core } from '@strapi/strapi';
import { STRAPI_TABLES, UID } from '../../../shared/constants';
import { describeChange, type Change, type ContentTypeShape, type SchemaDiffSummary } from './changes';
import { currentState, readRecordedState } from './state';

type Table = { name: string };
type UpdatedTable = { name: string; columns: { removed: { name: string }[] } };

/** The shape of Strapi's `schemaDiff.diff()` result that is read here (@strapi/database 5.54). */
interface StrapiSchemaDiff {
  diff: { tables: { added: Table[]; updated: UpdatedTable[]; removed: Table[] } };
}

const summarize = ({ diff }: StrapiSchemaDiff): SchemaDiffSummary => ({
  removedTables: diff.tables.removed.map((t) => t.name),
  addedTables: diff.tables.added.map((t) => t.name),
  updatedTables: diff.tables.updated.map((t) => t.name),
  removedColumns: diff.tables.updated.flatMap((t) => t.columns.removed.map((c) => ({ table: t.name, column: c.name }))),
});

/** The hash Strapi stored at the last sync; null when it never synced (a first install). */
const storedSchemaHash = async (strapi: Core.Strapi): Promise<string | null> => {
  if (!(await strapi.db.getSchemaConnection().hasTable(STRAPI_TABLES.schema))) return null;
  const row = await strapi.db.getConnection(STRAPI_TABLES.schema).select('hash').orderBy('time', 'desc').first();
  return row?.hash ?? null;
};

/** What the sync would do, as Strapi computes it (read-only: the diff only inspects). */
const schemaDiff = async (strapi: Core.Strapi): Promise<SchemaDiffSummary> => {
  const { schema } = strapi.db;
  const previous = await schema.schemaStorage.read();
  const databaseSchema = await strapi.db.dialect.schemaInspector.getSchema();
  const result = await schema.schemaDiff.diff({ previousSchema: previous?.schema, databaseSchema, userSchema: schema.schema });
  return summarize(result as unknown as StrapiSchemaDiff);
};

/**
 * The change this boot brings, or null: nothing changes, or nothing was recorded before (a first
 * install, or the first boot with this plugin, or with it again after it was disabled), so there
 * is no earlier state to protect.
 */
export const detectChange = async (
  strapi: Core.Strapi,
  oldContentTypes: Record<string, ContentTypeShape> | undefined,
  contentTypes: Record<string, ContentTypeShape>,
): Promise<Change | null> => {
  // One after the other on purpose: side by side they open extra pool connections at boot, which
  // measured slower on PostgreSQL than the few sequential round trips.
  const recorded = await readRecordedState(strapi);
  if (!recorded) return null;
  const storedHash = await storedSchemaHash(strapi);
  if (storedHash === null) return null;
  const migrationsPending = await strapi.db.migrations.shouldRun();
  const schemaChanged = migrationsPending || storedHash !== strapi.db.schema.schemaStorage.hashSchema(strapi.db.schema.schema);
  const change = describeChange({
    recorded,
    current: currentState(strapi),
    oldContentTypes: oldContentTypes ?? {},
    contentTypes,
    migrationsPending,
    schema: schemaChanged ? await schemaDiff(strapi) : null,
  });
  // The plugin was disabled since (Strapi then dropped its tables, so its own types read as added):
  // what was recorded is older than the boots without it, and no profile exists to file a backup
  // under. As on a first install. Asked only when something changes: the no-change path stays as is.
  if (!change) return null;
  const profiles = strapi.db.metadata.get(UID.profile).tableName;
  return (await strapi.db.getSchemaConnection().hasTable(profiles)) ? change : null;
};
