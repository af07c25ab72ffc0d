/**
 * A test site for restore suites: a real database with every value kind, keys of every shape and
 * foreign keys (schema.ts), an upload directory, one backup of both, and their state to compare
 * with. Every test starts from the backed-up site: an afterEach restores it (with force, for the
 * tests that change the schema).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { createBackup, restoreArchive } from '../../server/src/engine';
import type { BackupResult, RestoreOptions } from '../../server/src/engine/types';
import { connectLikeStrapi, createTestDatabase, type TestDatabase, type TestDialect } from './databases';
import { tempDir, writeFiles } from './archive';
import { KEPT_TABLES, createExtrasSchema, createRelationsSchema, createSchema } from './schema';
import { databaseState, filesState } from './site-state';

export interface RestoreSite {
  dialect: TestDialect;
  knex: Knex;
  work: string;
  publicDir: string;
  uploadsDir: string;
  /** The backup every test restores or damages. */
  backup: BackupResult;
  /** Checksums of every table, and sha256 of every upload, when it was taken. */
  before: Record<string, string>;
  beforeFiles: Record<string, string>;
}

/** Registers the suite's hooks; the returned site is filled in by beforeAll. */
export function useRestoreSite(dialect: TestDialect, prefix: string): RestoreSite {
  const site = { dialect } as RestoreSite;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(dialect, prefix);
    site.knex = connectLikeStrapi(db);
    await createSchema(site.knex, dialect);
    await createRelationsSchema(site.knex);
    await createExtrasSchema(site.knex, dialect);
    site.work = await tempDir(`${prefix}-`);
    site.publicDir = path.join(site.work, 'app', 'public');
    site.uploadsDir = path.join(site.publicDir, 'uploads');
    await writeFiles(site.uploadsDir, {
      'a.jpg': Buffer.from('jpeg-bytes'),
      'nested/b.bin': Buffer.alloc(200 * 1024, 7),
      // Larger than one write batch (WRITE_BATCH_BYTES), and no two batches alike: staging writes
      // a batch while it reads the next, so a batch written twice or out of order shows.
      'large.bin': countingBytes(2600 * 1024),
      'empty.txt': '',
    });
    site.backup = await takeBackup(site, 'site.tar', 'tar');
    site.before = await databaseState(site.knex, dialect);
    site.beforeFiles = await filesState(site.uploadsDir);
  });

  afterEach(async () => {
    await restoreArchive(restoreOptions(site, { force: true }));
  });

  afterAll(async () => {
    await site.knex?.destroy();
    await db?.drop();
    if (site.work) await fs.promises.rm(site.work, { recursive: true, force: true });
  });
  return site;
}

export function takeBackup(site: RestoreSite, name: string, format: 'tar' | 'tar.gz', excludeTables: string[] = []): Promise<BackupResult> {
  return createBackup({
    knex: site.knex,
    dialect: site.dialect,
    includeDatabase: true,
    excludeTables,
    uploadsDir: site.uploadsDir,
    projectDir: null,
    format,
    outFile: path.join(site.work, name),
    tmpDir: path.join(site.work, `tmp-${name}`),
    meta: { strapiVersion: null, pluginVersion: null, profile: null },
  });
}

/** Restore options for the site's backup (small batches, so that every table takes several). */
/** `size` bytes of 32-bit words that never repeat (a multiplicative hash of their index). */
function countingBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) bytes.writeUInt32LE(Math.imul(i / 4, 2654435761) >>> 0, i);
  return bytes;
}

export function restoreOptions(site: RestoreSite, over: Partial<RestoreOptions> = {}): RestoreOptions {
  return {
    knex: site.knex,
    dialect: site.dialect,
    file: site.backup.file,
    manifest: site.backup.manifest,
    keepTables: KEPT_TABLES,
    uploadsDir: site.uploadsDir,
    batchSize: 7,
    ...over,
  };
}

/** The state without the kept tables. */
export const restoredPart = (state: Record<string, string>) => Object.fromEntries(Object.entries(state).filter(([t]) => !KEPT_TABLES.includes(t)));

/** Changes rows of most tables (deletes, updates, inserts; drops nothing) and the uploads. */
export async function changeSite({ knex, uploadsDir }: RestoreSite): Promise<void> {
  await knex('posts_items_lnk').where({ post_id: 3 }).del();
  await knex('posts').where({ id: 3 }).del();
  await knex('items').whereIn('id', [3, 4, 5]).del();
  await knex('items').insert([{ label: 'new 1' }, { label: 'new 2' }]);
  await knex('kinds')
    .where({ id: 1 })
    .update({ s: 'changed', flag: false, doc: JSON.stringify({ other: 1 }) });
  await knex('authors').where({ id: 2 }).update({ name: 'Grace H.', mentor_id: 3 });
  await knex('authors').insert({ name: 'Newcomer', mentor_id: 1 });
  await knex('comments').insert({ post_id: 2, body: 'late' });
  await knex('pairs').where({ a: 1 }).del();
  await knex('nokey').insert({ x: 9, y: 'z' });
  await knex('bigkeys').where({ id: '1' }).update({ note: 'changed' });
  await knex('extras').where({ id: 2 }).del();
  await knex('extras').where({ id: 1 }).update({ id: 10 });
  await writeFiles(uploadsDir, { 'a.jpg': 'changed', 'new.txt': 'added', 'added/dir/c.txt': 'c' });
  await fs.promises.rm(path.join(uploadsDir, 'nested', 'b.bin'), { force: true });
}

/** Runs `attempt`, which must fail, and checks that the database and the uploads did not change. */
export async function expectNothingChanged(
  { knex, dialect, uploadsDir, publicDir }: RestoreSite,
  attempt: () => Promise<unknown>,
  error: RegExp | (new (...a: any[]) => Error),
): Promise<void> {
  const state = await databaseState(knex, dialect);
  const files = await filesState(uploadsDir);
  await expect(attempt()).rejects.toThrow(error as any);
  expect(await databaseState(knex, dialect)).toEqual(state);
  expect(await filesState(uploadsDir)).toEqual(files);
  expect(fs.readdirSync(publicDir)).toEqual(['uploads']);
}

/**
 * Makes the statement matching `pattern` after `skip` others that match throw `message`; every
 * other statement runs, or, with `stop`, throws too from then on (the process stopped there, and
 * none of its cleanup ran). knex's own `raw` cannot be replaced, so this wraps its client's, which
 * every raw statement of that knex goes through. `ran` lists the statements that ran.
 */
export function failStatement(
  knex: Knex,
  pattern: RegExp,
  message: string,
  { skip = 0, stop = false }: { skip?: number; stop?: boolean } = {},
): { ran: string[]; restore: () => void } {
  const client = knex.client as { raw: (...args: any[]) => unknown };
  const raw = client.raw.bind(client);
  const ran: string[] = [];
  let seen = 0;
  let stopped = false;
  const spy = jest.spyOn(client, 'raw').mockImplementation((sql: string, ...rest: any[]) => {
    if (!stopped && (!pattern.test(sql) || seen++ < skip)) {
      ran.push(sql);
      return raw(sql, ...rest);
    }
    stopped = true;
    if (!stop) spy.mockRestore();
    throw new Error(message);
  });
  return { ran, restore: () => spy.mockRestore() };
}
