/**
 * Profiles and records read and written with plain knex, for the boot hook and the CLI's offline
 * restore (an app that cannot boot: `strapi.db` there is a Database with the plugin's two models
 * only, see cli/offline-app.ts).
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
import { HEARTBEAT_LAPSE_BEATS, UID } from '../../../shared/constants';
import { lostEnding } from '../endings';
import { lockEveryProfile, lockProfileRow } from '../locks';
import type { BackupRecord, Profile } from '../../../shared/contracts';

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

/** A job that is still alive: a running one (the hook waits for it), or a pending restore. */
export interface RunningJob {
  id: number;
  worker: string | null;
  status?: 'running' | 'queued';
}

/** Strapi's document ids are 24 lowercase letters and digits. */
const documentId = () => Array.from(randomBytes(24), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');

const toDate = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string));

export const createRawRecords = (strapi: Pick<Core.Strapi, 'db'>) => {
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
    const row = {
      documentId: documentId(),
      kind: 'backup',
      queuedAt: now,
      encrypted: false,
      keep: false,
      cancelRequested: false,
      createdAt: now,
      updatedAt: now,
      publishedAt: now,
      ...data,
    };
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

  /** Marks what a dead process left as the failsafe would: its running jobs lost, its waiting restore cancelled. */
  const endLapsed = async (trx: Knex.Transaction, jobs: { id: number; kind: string; status: string }[], now: Date) => {
    for (const job of jobs) {
      const lost = lostEnding(job, now);
      await trx(recordMeta.tableName)
        .where({ id: job.id, [column(recordMeta, 'status')]: job.status })
        .update(await toRow(recordMeta, lost));
    }
  };

  /**
   * The claim of `claim` / `claimSite`: under the lock, the live jobs that stand in the way, else
   * the new running record. `profile`: running jobs of that profile; `site`: any running job, and
   * any pending restore (the queue's rule: one at a time, alone on the site).
   */
  const claimUnder = async (
    scope: 'profile' | 'site',
    profileId: number,
    data: RecordData,
    heartbeatMs: number,
  ): Promise<{ id: number } | { busy: RunningJob }> => {
    const now = new Date();
    const lapse = now.getTime() - HEARTBEAT_LAPSE_BEATS * heartbeatMs;
    const rt = recordMeta.tableName;
    const col = (name: string) => `${rt}.${column(recordMeta, name)}`;
    await prepare();
    return knex.transaction(async (trx) => {
      await (scope === 'site' ? lockEveryProfile(trx, profileMeta.tableName) : lockProfileRow(trx, profileMeta.tableName, profileId));
      const jobs = trx(rt).select(
        `${rt}.id as id`,
        `${col('kind')} as kind`,
        `${col('status')} as status`,
        `${col('heartbeatAt')} as heartbeatAt`,
        `${col('worker')} as worker`,
      );
      if (scope === 'profile') {
        jobs
          .join(link.name, `${link.name}.${link.joinColumn.name}`, `${rt}.id`)
          .where(`${link.name}.${link.inverseJoinColumn.name}`, profileId)
          .where(col('status'), 'running');
      } else {
        jobs.where(col('status'), 'running').orWhere((q) => q.where(col('status'), 'queued').where(col('kind'), 'restore'));
      }
      const found: { id: number; kind: string; status: 'running' | 'queued'; heartbeatAt: unknown; worker: string | null }[] = await jobs;
      // Alive: a running job or a waiting CLI that beats; a restore queued from the admin waits for any worker.
      const alive = (job: (typeof found)[number]) => (job.status === 'queued' && !job.worker) || (toDate(job.heartbeatAt)?.getTime() ?? 0) >= lapse;
      const live = found.find(alive);
      if (live) return { busy: { id: Number(live.id), worker: live.worker ?? null, status: live.status } };
      await endLapsed(trx, found, now);
      return { id: await insertRecord(trx, profileId, { status: 'running', startedAt: now, heartbeatAt: now, ...data }) };
    });
  };

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
    claim(profileId: number, data: RecordData, heartbeatMs: number): Promise<{ id: number } | { busy: RunningJob }> {
      return claimUnder('profile', profileId, data, heartbeatMs);
    },

    /**
     * The same under the site lock (every profile row, as the queue takes it for a restore): no
     * live job may run on the site, and no other restore may be pending. A restore queued for a
     * CLI process whose heartbeat lapsed is cancelled, as the failsafe would.
     */
    claimSite(profileId: number, data: RecordData, heartbeatMs: number): Promise<{ id: number } | { busy: RunningJob }> {
      return claimUnder('site', profileId, data, heartbeatMs);
    },

    /** A record that ended before it could start (no profile lock needed: it never runs). */
    recordFailure(profileId: number, data: RecordData): Promise<number> {
      return this.insert(profileId, { status: 'failed', finishedAt: new Date(), ...data });
    },

    /** A record as it is given, outside the queue's locks: the caller already holds the job it belongs to. */
    async insert(profileId: number, data: RecordData): Promise<number> {
      await prepare();
      return knex.transaction((trx) => insertRecord(trx, profileId, data));
    },

    /** A record by id or documentId, as the query engine would return it, with its profile's id. */
    async find(ref: string): Promise<(RecordData & { id: number; profileId: number | null }) | null> {
      const key = /^\d+$/.test(ref) ? { id: Number(ref) } : { [column(recordMeta, 'documentId')]: ref };
      const row = await knex(recordMeta.tableName).where(key).first();
      if (!row) return null;
      const linked = await knex(link.name).where(link.joinColumn.name, row.id).first(link.inverseJoinColumn.name);
      const profileId = linked ? Number(Object.values(linked)[0]) : null;
      return { ...fromRow(recordMeta, row), id: Number(row.id), profileId } as RecordData & { id: number; profileId: number | null };
    },

    /** Updates a record while it is still running; false when something else ended it. */
    async updateRunning(id: number, data: RecordData): Promise<boolean> {
      const row = await toRow(recordMeta, { ...data, updatedAt: new Date() });
      const count = await knex(recordMeta.tableName)
        .where({ id, [column(recordMeta, 'status')]: 'running' })
        .update(row);
      return Number(count) === 1;
    },

    async cancelRequested(id: number): Promise<boolean> {
      const row = await knex(recordMeta.tableName).where({ id }).first(column(recordMeta, 'cancelRequested'));
      return Boolean(row && Object.values(row)[0]);
    },
  };
};

export type RawRecords = ReturnType<typeof createRawRecords>;
