/**
 * Fixed names and limits of the archive format and of the engine. Changing an entry prefix or the
 * manifest name changes the format: bump FORMAT_VERSION with it.
 */

import type { Dialect } from './types';

export const FORMAT_NAME = 'strapi-plugin-backup' as const;
export const FORMAT_VERSION = 1 as const;

export const MANIFEST_NAME = 'manifest.json';
export const DB_PREFIX = 'db/';
export const UPLOADS_PREFIX = 'uploads/';
export const FILES_PREFIX = 'files/';
export const TABLE_ENTRY_SUFFIX = '.ndjson.gz';

/** Rows per INSERT of a restore, and per keyset page of a backup but on MySQL (below). */
export const DEFAULT_BATCH_SIZE = 1000;

/**
 * Rows per keyset page of a backup: large enough to amortise a round trip, small enough to keep
 * memory flat. Measured, not explained: with 1,000 rows the MariaDB backup of the size-5 bench
 * site grew RSS by 101 to 151 MB (+1 MB with a collection forced every second: garbage, not memory
 * held), with 500 rows by 23 to 24 MB, in about the same time. (A guess: mysql2 assembles a page
 * over many socket reads, long enough for its rows to reach the old generation.)
 */
export const DUMP_BATCH_ROWS: Record<Dialect, number> = { sqlite: DEFAULT_BATCH_SIZE, postgres: DEFAULT_BATCH_SIZE, mysql: 500 };

/**
 * A batch is encoded in slices of this many rows, the event loop free between them: JSON encoding
 * is synchronous, and the site serves its visitors on the same thread during a backup.
 */
export const ENCODE_SLICE_ROWS = 200;

/**
 * zlib buffer for table entries: the dump hands gzip (which runs on libuv's thread pool) each slice
 * as it is encoded and goes on encoding while the pool compresses; it waits for 'drain' only once
 * this much is queued. (Handing over whole batches of 2.7 MB, each write waited for gzip to empty,
 * and encoding and compression took turns instead of overlapping.)
 */
export const GZIP_HIGH_WATER_MARK = 1024 * 1024;
/**
 * zlib's output chunk (its default is 16 KB). Each chunk is one round trip between the thread pool
 * and the event loop: gzip level 3 of 55 MB of table JSON took 750-775 ms with 16 KB chunks and
 * 560-575 ms with 256 KB (measured on the bench site's articles).
 */
export const ZLIB_CHUNK = 256 * 1024;
/**
 * Measured on 20,000 rows of ~2 KB text (41 MB SQLite): dump without gzip 1.7 s (the main thread
 * reading and encoding is the bottleneck); level 1 → 1.5 s / 7.8 MB, level 3 → 1.6 s / 6.3 MB
 * (compression fully overlapped on the thread pool), level 6 → 2.3 s / 5.2 MB (gzip becomes the
 * bottleneck). Level 3 keeps compression off the critical path, so compressing one table in
 * parallel chunks would not gain anything and is not done.
 */
export const GZIP_LEVEL = 3;

/** Progress events are throttled to this interval (the final 100 is always sent). */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * An archive is read in chunks of this many bytes (verify, restore). Verifying the bench site's
 * 367 MB archive against its recorded sha256 took 354-435 ms with 1 MB chunks against 476-593 ms
 * with 256 KB (three runs each): a quarter of the reads, buffers and garbage.
 */
export const ARCHIVE_READ_CHUNK = 1024 * 1024;

/**
 * Backups read files of at most SMALL_FILE_BYTES whole, up to READ_AHEAD_FILES of them ahead of the
 * archive (read-ahead.ts): at most 4 MB held. One at a time, a backup of the bench site's 2,030
 * uploads waited 1.3 s of its 3.7 s for each file's open, read and close in turn (profiled); read
 * ahead, the uploads took 2.5-2.7 s, and the whole backup 4.2-4.3 s instead of 5.7-5.9 s (engine alone).
 */
export const SMALL_FILE_BYTES = 256 * 1024;
export const READ_AHEAD_FILES = 16;

/**
 * A restored file is written in writev calls of this many bytes: a write per tar chunk (tens of
 * KB) costs a thread-pool round trip each. Writing the bench site's 2,030 uploads (340 MB) from
 * its archive in a standalone probe: 0.9-1.2 s instead of 1.8-2.3 s. Inside a whole restore the
 * staging step measured 2.0-2.1 s either way (the disk's writeback of the previous run dominated).
 */
export const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * A restore writes up to WRITE_BEHIND_FILES small files (SMALL_FILE_BYTES at most, each read and
 * checked whole: about 6 MB held, with the read buffers they share) while it reads the next
 * entries: one at a time, each file's open, write and close were thread-pool round trips the
 * archive's reader waited for.
 */
export const WRITE_BEHIND_FILES = 16;

/**
 * pg's client-side `query_timeout` (a site's database settings may set one) would end a COPY on
 * our side only, the server still in COPY and the connection stuck: a COPY lasts a whole table.
 * Each COPY gets the longest timer Node allows (pg reads a query's own value first; 0 would mean
 * the connection's).
 */
export const PG_COPY_READ_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Every file that holds site data (archives, staged tables, the SQLite copy) is readable by its
 * owner only, in directories only its owner can enter: an archive holds password hashes and
 * token secrets. Tar entries carry the same mode, so an extraction keeps them private too.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * A table entry may inflate this many times over its compressed size, once past the floor: real
 * tables measure 15–50× at our gzip level, and 200× for a table of identical rows; a decompression
 * bomb reaches 1000×. Past it, verify (and restore) refuse the entry instead of inflating it.
 */
export const MAX_INFLATE_RATIO = 400;
export const INFLATE_RATIO_FLOOR = 64 * 1024 * 1024;

/** The manifest is read into memory by verify; anything larger is not ours. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Project files, relative to the app directory, that are archived under `files/`. */
export const PROJECT_INCLUDE_DIRS = ['config', 'src', 'database/migrations'];
export const PROJECT_INCLUDE_FILES = ['package.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'tsconfig.json', 'favicon.png', '.env.example'];
/** `.env` is only archived when the profile asks for it (it holds secrets). */
export const ENV_FILE = '.env';

/** Directory names never descended into inside the included project directories. */
export const PROJECT_EXCLUDE_DIR_NAMES = new Set(['node_modules', '.tmp', 'dist', 'build', '.cache', '.strapi', '.git']);
/** Paths relative to the app directory never archived as project files (uploads go under `uploads/`). */
export const PROJECT_EXCLUDE_PATHS = ['public/uploads'];

/** True for `.env` and `.env.*` except `.env.example` (which holds no secrets by convention). */
export function isEnvFileName(name: string): boolean {
  if (name === '.env.example') return false;
  return name === '.env' || name.startsWith('.env.');
}

/**
 * Copying a SQLite database under a running site. In rollback-journal mode (Strapi's default) the
 * copy's read lock keeps the site's writers from committing, and a write between two steps of
 * SQLite's backup API restarts the copy from page 1. Measured on a 178 MB file (1M rows): one
 * uninterrupted copy holds the lock 0.4–0.7 s under write load; a step of ~1,000 pages 10–25 ms.
 */
/** Read-lock time one step of the step-by-step copy aims at (the step's page count follows it). */
export const SQLITE_STEP_MS = 25;
/** Pages of the first step, before its duration is known (4 MB at the default 4 KB page size). */
export const SQLITE_FIRST_STEP_PAGES = 1000;
/** Writes that may restart the step-by-step copy before it copies under one read lock instead. */
export const SQLITE_MAX_RESTARTS = 3;
/**
 * How long one step waits for the lock. A writer's commit takes a few ms; a step kept waiting
 * longer meets a site that writes without pause, and counts as a restart (measured: a writer
 * committing back to back kept single steps waiting 1–3 s).
 */
export const SQLITE_STEP_LOCK_WAIT_MS = 100;
/**
 * The one-lock copy may hold the lock this share of the site's busy_timeout (Strapi keeps
 * better-sqlite3's 5,000 ms): the site's writers wait, never past their timeout.
 */
export const SQLITE_LOCK_SHARE = 0.5;
/** How long the one-lock copy waits for its read lock while the site's writers hold theirs. */
export const SQLITE_LOCK_WAIT_MS = 10_000;

/**
 * How long a cancelled dump's thread has to stop by itself before it is terminated. Terminating a
 * thread can land inside `zlib.createGzip()`, between the native handle's creation and its init:
 * Node then aborts the whole process when it cleans the thread up ("close before init", seen once
 * in CI). The thread checks for a stop between batches, so it ends within a batch; only a thread
 * stuck waiting on its database connection reaches this.
 */
export const DUMP_THREAD_STOP_GRACE_MS = 5_000;

/**
 * MySQL/MariaDB restores load into new tables and swap them in (swap-load.ts). The suffixes name
 * the new tables, the replaced ones between the swap and its end, and the foreign keys added
 * under a second name until the replaced tables free the first. A table name of up to 56
 * characters (Strapi shortens its own to 55) and a key name of up to 57 fit MySQL's 64.
 */
export const SWAP_NEW_SUFFIX = '__bk_new';
export const SWAP_OLD_SUFFIX = '__bk_old';
export const SWAP_KEY_SUFFIX = '__bk_fk';

/** `name` without `suffix`, or null when it does not end with it (or is only the suffix). */
export const withoutSuffix = (name: string, suffix: string): string | null =>
  name.length > suffix.length && name.endsWith(suffix) ? name.slice(0, -suffix.length) : null;

/**
 * The tables of a swap among a database's tables: `t__bk_new` and `t__bk_old` beside their `t`
 * (a site's own table that merely ends so is site data). Never backed up, finished or dropped
 * by the swap otherwise.
 */
export function swapTablesAmong(names: string[]): Set<string> {
  const all = new Set(names);
  return new Set(names.filter((n) => [SWAP_NEW_SUFFIX, SWAP_OLD_SUFFIX].some((suffix) => all.has(withoutSuffix(n, suffix) ?? ''))));
}
export const MYSQL_MAX_IDENTIFIER = 64;
/**
 * How long each statement of the swap waits for transactions of other clients still open on the
 * tables it changes (the restore's gate keeps the app's own requests out). MySQL's default is a
 * year; past this the swap fails: with nothing changed before its RENAME, to be finished after it.
 */
export const SWAP_LOCK_WAIT_SECONDS = 30;
