/**
 * What this boot is about to do to the database, in plain words, and whether it destroys data
 * (pre-uninstall) or only changes it (pre-update). Pure: given facts, returns sentences, so every
 * rule is unit-tested without a database.
 */
import { HOOK_MESSAGE_MAX_TABLES, type Trigger } from '../../../shared/constants';

/** What the plugin records at the end of each boot, and compares with at the next one. */
export interface BootState {
  strapiVersion: string | null;
  pluginVersion: string;
  /** Enabled plugins other than this one, name → package version. */
  plugins: Record<string, string | null>;
  /** Component uid → its table (Strapi keeps no earlier list of components to compare with). */
  components: Record<string, string>;
}

/** The part of a content type (as Strapi stores it in the core store) the comparison needs. */
export interface ContentTypeShape {
  collectionName?: string;
  attributes?: Record<string, { type?: string } | undefined>;
}

/** Strapi's own schema diff, reduced to names. */
export interface SchemaDiffSummary {
  removedTables: string[];
  addedTables: string[];
  removedColumns: { table: string; column: string }[];
  updatedTables: string[];
}

export interface ChangeFacts {
  recorded: BootState;
  current: BootState;
  oldContentTypes: Record<string, ContentTypeShape>;
  contentTypes: Record<string, ContentTypeShape>;
  migrationsPending: boolean;
  /** Null when the stored schema hash equals the new one (and no migration is pending). */
  schema: SchemaDiffSummary | null;
}

export interface Change {
  trigger: Extract<Trigger, 'pre-update' | 'pre-uninstall'>;
  /** Every change, in plain words; joined, they are the record's message. */
  lines: string[];
  /** The lines that destroy data (a subset of `lines`); empty for a pre-update. */
  losses: string[];
}

/** Strapi's column name for an attribute (`publishedAt` → `published_at`). */
const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

const tablesPhrase = (tables: string[]) => (tables.length === 0 ? '' : ` (${tables.length === 1 ? 'table' : 'tables'} ${tables.join(', ')} will be dropped)`);

/** Removed tables not yet explained by a removed content type, component or field. */
class Unexplained {
  readonly tables: Set<string>;
  readonly columns: { table: string; column: string }[];

  constructor(schema: SchemaDiffSummary | null) {
    this.tables = new Set(schema?.removedTables ?? []);
    this.columns = [...(schema?.removedColumns ?? [])];
  }

  /** Takes the tables of a removed type: its own table and the ones named after it (`articles_cmps`, `articles_author_lnk`). */
  takeTablesOf(collectionName: string | undefined): string[] {
    if (!collectionName) return [];
    const mine = [...this.tables].filter((t) => t === collectionName || t.startsWith(`${collectionName}_`)).sort();
    mine.forEach((t) => this.tables.delete(t));
    return mine;
  }

  /** Takes what dropping one field drops: its column(s) and its relation's link table. */
  takeField(collectionName: string | undefined, field: string): void {
    if (!collectionName) return;
    const column = snakeCase(field);
    const names = new Set([column, `${column}_id`]);
    for (let i = this.columns.length - 1; i >= 0; i -= 1) {
      if (this.columns[i].table === collectionName && names.has(this.columns[i].column)) this.columns.splice(i, 1);
    }
    this.tables.delete(`${collectionName}_${column}_lnk`);
  }
}

const diffVersions = (label: string, before: string | null | undefined, after: string | null | undefined) =>
  (before ?? null) !== (after ?? null) ? [`${label} ${before ?? 'unknown'} → ${after ?? 'unknown'}`] : [];

/** Versions of Strapi, of this plugin and of every other plugin; a removed plugin is a loss. */
const describeVersions = (recorded: BootState, current: BootState, losses: string[]): string[] => {
  const lines = [
    ...diffVersions('Strapi', recorded.strapiVersion, current.strapiVersion),
    ...diffVersions('strapi-plugin-backup', recorded.pluginVersion, current.pluginVersion),
  ];
  const before = recorded.plugins ?? {};
  for (const [name, version] of Object.entries(before)) {
    const next = current.plugins[name];
    if (!(name in current.plugins)) losses.push(`plugin ${name} removed`);
    // Strapi's own plugins move with Strapi: "Strapi 5.53.0 → 5.54.0" already says it.
    else if (!(version === recorded.strapiVersion && next === current.strapiVersion)) lines.push(...diffVersions(`plugin ${name}`, version, next));
  }
  for (const [name, version] of Object.entries(current.plugins)) {
    if (!(name in before)) lines.push(`plugin ${name}${version ? ` ${version}` : ''} added`);
  }
  return lines;
};

/** Content types, their fields and components, told apart with the tables the sync will drop. */
const describeSchema = (facts: ChangeFacts, schema: SchemaDiffSummary, losses: string[]): string[] => {
  const { recorded, current, contentTypes } = facts;
  const oldContentTypes = facts.oldContentTypes ?? {};
  const updates: string[] = [];
  const rest = new Unexplained(schema);
  for (const [uid, old] of Object.entries(oldContentTypes)) {
    const now = contentTypes[uid];
    if (!now) {
      losses.push(`content type ${uid} removed${tablesPhrase(rest.takeTablesOf(old.collectionName))}`);
      continue;
    }
    for (const [field, attribute] of Object.entries(old.attributes ?? {})) {
      const next = now.attributes?.[field];
      if (!next) {
        losses.push(`field \`${field}\` removed from ${uid}`);
        rest.takeField(now.collectionName ?? old.collectionName, field);
      } else if (attribute?.type && next.type && attribute.type !== next.type) {
        updates.push(`field \`${field}\` of ${uid} changes type (${attribute.type} → ${next.type})`);
      }
    }
    for (const field of Object.keys(now.attributes ?? {})) {
      if (!old.attributes?.[field]) updates.push(`field \`${field}\` added to ${uid}`);
    }
  }
  for (const uid of Object.keys(contentTypes)) {
    if (!(uid in oldContentTypes)) updates.push(`content type ${uid} added`);
  }
  const components = recorded.components ?? {};
  for (const [uid, table] of Object.entries(components)) {
    if (!(uid in current.components)) losses.push(`component ${uid} removed${tablesPhrase(rest.takeTablesOf(table))}`);
  }
  for (const uid of Object.keys(current.components)) {
    if (!(uid in components)) updates.push(`component ${uid} added`);
  }
  for (const table of [...rest.tables].sort()) losses.push(`table ${table} will be dropped`);
  for (const { table, column } of rest.columns) losses.push(`column \`${column}\` will be dropped from table ${table}`);
  return updates;
};

/** Returns null when nothing in this boot changes the database or the code that shapes it. */
export function describeChange(facts: ChangeFacts): Change | null {
  const losses: string[] = [];
  const versions = describeVersions(facts.recorded, facts.current, losses);
  const lossesBefore = losses.length;
  // Only the schema diff knows what the sync will really drop; with the hash unchanged a removed
  // type would leave its table alone, so there is nothing to describe.
  const updates = facts.schema ? describeSchema(facts, facts.schema, losses) : [];
  if (facts.schema && updates.length === 0 && losses.length === lossesBefore) {
    // The hash moved for something no sentence names (an index, a key, a column's type).
    // Capped: MariaDB's inspector reports nearly every table as changed after any schema change.
    const tables = [...facts.schema.addedTables, ...facts.schema.updatedTables].sort();
    const named = tables.slice(0, HOOK_MESSAGE_MAX_TABLES).join(', ');
    const more = tables.length > HOOK_MESSAGE_MAX_TABLES ? ` and ${tables.length - HOOK_MESSAGE_MAX_TABLES} more` : '';
    updates.push(tables.length > 0 ? `database schema changes (tables ${named}${more})` : 'database schema changes');
  }
  if (facts.migrationsPending) updates.push('database migrations are pending');
  const lines = [...versions, ...losses, ...updates];
  if (lines.length === 0) return null;
  return { trigger: losses.length > 0 ? 'pre-uninstall' : 'pre-update', lines, losses };
}

/** The configuration key that turns this kind of backup off, when it is off; null when it is on. */
export const disabledBy = (change: Change, hooks: { preUpdate: boolean; preUninstall: boolean }): string | null => {
  if (change.trigger === 'pre-uninstall') return hooks.preUninstall ? null : 'hooks.preUninstall';
  return hooks.preUpdate ? null : 'hooks.preUpdate';
};
