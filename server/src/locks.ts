/**
 * The queue's two locks, one statement each, shared by the queue (queue.ts), a profile's deletion
 * (profiles.ts) and the boot's own records (pre-sync/raw-records.ts, plain knex before Strapi's
 * query engine is up). Writing a row takes a row lock on PostgreSQL and MySQL and the database's
 * write lock on SQLite: from that statement to the commit, the transaction owns what it wrote.
 */
import type { Knex } from 'knex';

/** Owns one profile: every enqueue, claim or deletion of it waits for this transaction. */
export const lockProfileRow = (trx: Knex.Transaction, profilesTable: string, profileId: number) =>
  trx(profilesTable).where({ id: profileId }).update({ id: profileId });

/** Owns every profile: what a restore takes, since it excludes every job on the site. */
export const lockEveryProfile = (trx: Knex.Transaction, profilesTable: string) => trx(profilesTable).update({ id: trx.ref('id') });
