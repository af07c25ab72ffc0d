/**
 * Real databases for tests: which dialects to run, and a throw-away database per suite.
 *
 * SQLite always runs. PostgreSQL (127.0.0.1:5432, user postgres, trust auth) and MariaDB/MySQL
 * (127.0.0.1:3306, root, empty password) run when they answer; when one does not, the suite
 * skips it with a message — unless `CI` is set, where a missing server fails the run.
 * Outside CI, TEST_DIALECTS=sqlite,postgres runs only those. Override with TEST_PG_HOST/TEST_PG_PORT/TEST_PG_USER/TEST_PG_PASSWORD and
 * TEST_MYSQL_HOST/TEST_MYSQL_PORT/TEST_MYSQL_USER/TEST_MYSQL_PASSWORD.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';

export type TestDialect = 'sqlite' | 'postgres' | 'mysql';

export interface ServerSettings {
  host: string;
  port: number;
  user: string;
  password: string;
}

export const SERVERS: Record<'postgres' | 'mysql', ServerSettings & { label: string }> = {
  postgres: {
    label: 'PostgreSQL',
    host: process.env.TEST_PG_HOST ?? '127.0.0.1',
    port: Number(process.env.TEST_PG_PORT ?? 5432),
    user: process.env.TEST_PG_USER ?? 'postgres',
    password: process.env.TEST_PG_PASSWORD ?? '',
  },
  mysql: {
    label: 'MariaDB/MySQL',
    host: process.env.TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.TEST_MYSQL_PORT ?? 3306),
    user: process.env.TEST_MYSQL_USER ?? 'root',
    password: process.env.TEST_MYSQL_PASSWORD ?? '',
  },
};

/** knex client names, and the names Strapi's `config/database` uses. */
export const KNEX_CLIENT: Record<TestDialect, string> = { sqlite: 'better-sqlite3', postgres: 'pg', mysql: 'mysql2' };
export const STRAPI_CLIENT: Record<TestDialect, string> = { sqlite: 'sqlite', postgres: 'postgres', mysql: 'mysql' };

const probed = new Map<string, boolean>();

/** Synchronous TCP probe (describe.each needs its list at collection time). */
function answers(host: string, port: number): boolean {
  const key = `${host}:${port}`;
  if (!probed.has(key)) {
    const script =
      `const s=require('net').connect(${port},${JSON.stringify(host)});` +
      `s.setTimeout(2000);s.on('connect',()=>{s.destroy();process.exit(0)});` +
      `s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(1));`;
    const r = spawnSync(process.execPath, ['-e', script], { timeout: 5000 });
    probed.set(key, r.status === 0);
  }
  return probed.get(key)!;
}

/**
 * The dialects to run suites on. Throws under CI when a server does not answer; elsewhere logs
 * "<server> not reachable at host:port, skipping its suites" and leaves it out.
 */
export function dialectsUnderTest(wanted: TestDialect[] = ['sqlite', 'postgres', 'mysql']): TestDialect[] {
  const out: TestDialect[] = [];
  // TEST_DIALECTS=sqlite narrows a local run while iterating; CI runs every dialect.
  const only = !process.env.CI && process.env.TEST_DIALECTS ? process.env.TEST_DIALECTS.split(',') : null;
  for (const d of wanted.filter((dialect) => !only || only.includes(dialect))) {
    if (d === 'sqlite') {
      out.push(d);
      continue;
    }
    const s = SERVERS[d];
    if (answers(s.host, s.port)) {
      out.push(d);
    } else if (process.env.CI) {
      throw new Error(`${s.label} not reachable at ${s.host}:${s.port}: CI requires it (start it, or unset CI to skip its suites)`);
    } else {
      console.log(`${s.label} not reachable at ${s.host}:${s.port}, skipping its suites`);
    }
  }
  return out;
}

export interface TestDatabase {
  dialect: TestDialect;
  /** Database name (SQLite: the file path). */
  name: string;
  /** Ready for `require('knex')(knexConfig)`. */
  knexConfig: Knex.Config;
  /** Strapi-style `config/database` settings. */
  strapi: {
    client: string;
    connection: { host: string; port: number; user: string; password: string; database: string } | { filename: string };
    useNullAsDefault?: boolean;
  };
  /** Drops the database (SQLite: removes its directory). */
  drop(): Promise<void>;
}

function createKnex(config: Knex.Config): Knex {
  return require('knex')(config);
}

/** Creates an empty, uniquely named database `<prefix>_<random>` and returns how to reach it. */
export async function createTestDatabase(dialect: TestDialect, prefix = 'backup_unit'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
    const filename = path.join(dir, 'data.db');
    return {
      dialect,
      name: filename,
      knexConfig: { client: KNEX_CLIENT.sqlite, connection: { filename }, useNullAsDefault: true },
      strapi: { client: STRAPI_CLIENT.sqlite, connection: { filename }, useNullAsDefault: true },
      drop: () => fs.promises.rm(dir, { recursive: true, force: true }),
    };
  }
  const s = SERVERS[dialect];
  const admin = createKnex({
    client: KNEX_CLIENT[dialect],
    connection: { host: s.host, port: s.port, user: s.user, password: s.password, ...(dialect === 'postgres' ? { database: 'postgres' } : {}) },
    pool: { min: 0, max: 1 },
  });
  try {
    if (dialect === 'postgres') await admin.raw(`create database "${name}"`);
    else await admin.raw(`create database \`${name}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
  const connection = { host: s.host, port: s.port, user: s.user, password: s.password, database: name };
  return {
    dialect,
    name,
    knexConfig: { client: KNEX_CLIENT[dialect], connection: { ...connection }, pool: { min: 0, max: 5 } },
    strapi: { client: STRAPI_CLIENT[dialect], connection },
    drop: async () => {
      const a = createKnex({
        client: KNEX_CLIENT[dialect],
        connection: { host: s.host, port: s.port, user: s.user, password: s.password, ...(dialect === 'postgres' ? { database: 'postgres' } : {}) },
        pool: { min: 0, max: 1 },
      });
      try {
        if (dialect === 'postgres') {
          await a.raw(`drop database if exists "${name}" with (force)`).catch(() => a.raw(`drop database if exists "${name}"`));
        } else {
          await a.raw(`drop database if exists \`${name}\``);
        }
      } finally {
        await a.destroy();
      }
    },
  };
}

/** Opens a knex on a test database (callers destroy it). */
export function connect(db: TestDatabase, overrides: Partial<Knex.Config> = {}): Knex {
  return createKnex({ ...db.knexConfig, ...overrides });
}

/**
 * A knex set up the way Strapi sets up its own: on SQLite one connection with `foreign_keys = on`
 * (Strapi's SQLite dialect turns them on for every connection it opens).
 */
export function connectLikeStrapi(db: TestDatabase): Knex {
  if (db.dialect !== 'sqlite') return connect(db);
  return connect(db, {
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: any, done: (err: Error | null, conn: unknown) => void) => {
        conn.pragma('foreign_keys = on');
        done(null, conn);
      },
    },
  });
}
