/**
 * Profiles and records read and written with plain knex, for the boot hook only.
 *
 * Why not `strapi.db.query`: before the sync, Strapi's metadata already describes the new schema
 * while the tables are still the old ones. When this boot changes the plugin's own tables (an
 * upgrade of the plugin adds a record column), the query engine would write a column that does
 * not exist yet. So names come from the metadata (the same column names Strapi uses), and only
 * the columns the old table really has are written. The rows look exactly like the query engine's,
 * so the admin lists them like any other record.
 */
import { randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { HEARTBEAT_LAPSE_BEATS, UID } from '../constants';
import type { Profile } from '../services/profiles';
import type { BackupRecord } from '../services/records';

type Attribute = {
  type: string;
  columnName?: string;
  joinTable?: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string }; inverseOrderColumnName?: string };
};
interface Meta {
  tableName: string;
  attributes: Record<string, Attribute>;
}

/** Values by attribute name of `plugin::backup.record` (dates as Date: the driver converts them). */
export type RecordData = { [K in keyof Omit<BackupRecord, 'id' | 'profile'>]?: unknown };

/** A running job of the profile that is still alive: the hook waits for it. */
export interface RunningJob {
  id: number;
  worker: string | null;
}

/** Strapi's document ids are 24 lowercase letters and digits. */
const documentId = () =>
  Array.from(randomBytes(24), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');

const toDate = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string));

export const createRawRecords = (strapi: Core.Strapi) => {
  const knex: Knex = strapi.db.connection;
  const recordMeta = strapi.db.metadata.get(UID.record) as unknown as Meta;
  const profileMeta = strapi.db.metadata.get(UID.profile) as unknown as Meta;
  const link = recordMeta.attributes.profile.joinTable!;
  const column = (meta: Meta, name: string) => meta.attributes[name]?.columnName ?? name;
  const columnsCache = new Map<string, Set<string>>();

  const columnsOf = async (table: string): Promise<Set<string>> => {
    if (!columnsCache.has(table)) columnsCache.set(table, new Set(Object.keys(await knex(table).columnInfo())));
    return columnsCache.get(table)!;
  };

  /** Attribute values → the columns the table has now; JSON as text, as Strapi writes it. */
  const toRow = async (meta: Meta, data: Record<string, unknown>) => {
    const existing = await columnsOf(meta.tableName);
    const row: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(data)) {
      const attribute = meta.attributes[name];
      const col = column(meta, name);
      if (!attribute || !existing.has(col)) continue;
      row[col] = attribute.type === 'json' && value !== null && value !== undefined ? JSON.stringify(value) : value;
    }
    return row;
  };

  /** A row as the query engine would return it: attribute names, booleans and JSON parsed. */
  const fromRow = (meta: Meta, row: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [name, attribute] of Object.entries(meta.attributes)) {
      const col = column(meta, name);
      if (!(col in row)) continue;
      const value = row[col];
      if (attribute.type === 'boolean' && value !== null) out[name] = Boolean(value);
      else if (attribute.type === 'json' && typeof value === 'string') out[name] = JSON.parse(value);
      else out[name] = value;
    }
    return out;
  };

  const insertId = async (trx: Knex.Transaction, table: string, row: Record<string, unknown>): Promise<number> => {
    // MySQL has no RETURNING; its insert answers the new id.
    const [first] = strapi.db.dialect.client === 'mysql' ? await trx(table).insert(row) : await trx(table).insert(row, ['id']);
    return Number(typeof first === 'object' ? first.id : first);
  };

  /** A record row and its link to the profile, as the query engine writes them. */
  const insertRecord = async (trx: Knex.Transaction, profileId: number, data: RecordData): Promise<number> => {
    const now = new Date();
    const row = { documentId: documentId(), kind: 'backup', queuedAt: now, encrypted: false, cancelRequested: false, createdAt: now, updatedAt: now, publishedAt: now, ...data };
    const id = await insertId(trx, recordMeta.tableName, await toRow(recordMeta, row));
    const linkRow: Record<string, unknown> = { [link.joinColumn.name]: id, [link.inverseJoinColumn.name]: profileId };
    const order = link.inverseOrderColumnName;
    if (order && (await columnsOf(link.name)).has(order)) {
      const { max } = (await trx(link.name).where(link.inverseJoinColumn.name, profileId).max({ max: order }).first()) ?? {};
      linkRow[order] = Number(max ?? 0) + 1;
    }
    await trx(link.name).insert(linkRow);
    return id;
  };

  /** Read before a transaction: SQLite's pool has one connection, which the transaction holds. */
  const prepare = () => Promise.all([columnsOf(recordMeta.tableName), columnsOf(link.name)]);

  return {
    async profiles(): Promise<Profile[]> {
      if (!(await knex.schema.hasTable(profileMeta.tableName))) return [];
      const rows = await knex(profileMeta.tableName).select('*').orderBy('id', 'asc');
      return rows.map((row: Record<string, unknown>) => fromRow(profileMeta, row) as unknown as Profile);
    },

    /**
     * Under the profile's row lock (the queue's own lock), inserts `data` as the profile's running
     * record — unless a live job of the profile runs, which is returned instead. A job whose
     * heartbeat lapsed is marked lost first, as the failsafe would: its worker is gone, and no
     * instance may be up to run the failsafe while this one boots.
     */
    async claim(profileId: number, data: RecordData, heartbeatMs: number): Promise<{ id: number } | { busy: RunningJob }> {
      const now = new Date();
      const lapse = now.getTime() - HEARTBEAT_LAPSE_BEATS * heartbeatMs;
      const rt = recordMeta.tableName;
      await prepare();
      return knex.transaction(async (trx) => {
        await trx(profileMeta.tableName).where({ id: profileId }).update({ id: profileId });
        const running = await trx(rt)
          .join(link.name, `${link.name}.${link.joinColumn.name}`, `${rt}.id`)
          .where(`${link.name}.${link.inverseJoinColumn.name}`, profileId)
          .where(`${rt}.${column(recordMeta, 'status')}`, 'running')
          .select(`${rt}.id as id`, `${rt}.${column(recordMeta, 'heartbeatAt')} as heartbeatAt`, `${rt}.${column(recordMeta, 'worker')} as worker`);
        for (const job of running) {
          const beat = toDate(job.heartbeatAt);
          if (beat && beat.getTime() >= lapse) return { busy: { id: Number(job.id), worker: job.worker ?? null } };
        }
        for (const job of running) {
          const lost = { status: 'failed', statusReason: 'worker-lost', finishedAt: now, message: 'Its worker stopped answering (found at boot with no recent heartbeat); no archive was kept.' };
          await trx(rt).where({ id: job.id, [column(recordMeta, 'status')]: 'running' }).update(await toRow(recordMeta, lost));
        }
        return { id: await insertRecord(trx, profileId, { status: 'running', startedAt: now, heartbeatAt: now, ...data }) };
      });
    },

    /** A record that ended before it could start (no profile lock needed: it never runs). */
    async recordFailure(profileId: number, data: RecordData): Promise<number> {
      await prepare();
      return knex.transaction((trx) => insertRecord(trx, profileId, { status: 'failed', finishedAt: new Date(), ...data }));
    },

    /** Updates a record while it is still running; false when something else ended it. */
    async updateRunning(id: number, data: RecordData): Promise<boolean> {
      const row = await toRow(recordMeta, { ...data, updatedAt: new Date() });
      const count = await knex(recordMeta.tableName).where({ id, [column(recordMeta, 'status')]: 'running' }).update(row);
      return Number(count) === 1;
    },

    async cancelRequested(id: number): Promise<boolean> {
      const row = await knex(recordMeta.tableName).where({ id }).first(column(recordMeta, 'cancelRequested'));
      return Boolean(row && Object.values(row)[0]);
    },
  };
};

export type RawRecords = ReturnType<typeof createRawRecords>;
