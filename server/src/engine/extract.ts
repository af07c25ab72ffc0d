/**
 * Files of a restore are written into a hidden staging directory first and swapped into place
 * only after the database has committed; a failure before the swap removes the staging directory
 * and leaves the live files untouched.
 *
 * - The staging directory is beside the target (`<public>/.uploads-restore-<random>`), on the
 *   same file system, so the swap is two renames; its dot-name keeps static servers (koa-static's
 *   default) from serving it. When the target is a mount point or a symlink (a Docker volume for
 *   the uploads), a rename across file systems is impossible: the staging directory goes inside
 *   the target and the swap moves its top-level entries instead (still renames, not copies).
 * - Entries are regular files only: every parent directory is created by us inside the new
 *   staging directory, files are opened with O_EXCL | O_NOFOLLOW, so no link is ever followed or
 *   created, and a duplicate entry fails. Files get 0644 and directories 0755 whatever the umask:
 *   uploads are public media served by the site (archives store every entry as 0600).
 * - Every file is hashed while written and must match the manifest's size and sha256; a small one
 *   is checked before it is written.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SMALL_FILE_BYTES, WRITE_BATCH_BYTES, WRITE_BEHIND_FILES } from './constants';
import { ArchiveRefusedError } from './errors';
import { InFlight } from './in-flight';
import type { FileManifest } from './types';

export const PUBLIC_FILE_MODE = 0o644;
export const PUBLIC_DIR_MODE = 0o755;
const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

const token = () => randomBytes(6).toString('hex');

/** Names of staging and set-aside directories, as StagedDir makes them. */
const LEFTOVER_NAME = /^\.[a-z]+-(restore|old)-[0-9a-f]{12}$/;

/**
 * What a restore killed between its first staged file and the removal of the old files (a lost
 * worker, a crash) leaves in `dirs`: hidden staging or set-aside directories. Either is safe to
 * remove once no restore runs: staging was never swapped in; a set-aside one was replaced.
 */
export async function restoreLeftovers(dirs: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory() && LEFTOVER_NAME.test(e.name)) found.push(path.join(dir, e.name));
  }
  return found;
}

/** Why a relative path inside a staging directory is unsafe, or null. */
export function unsafeRelativePath(rel: string): string | null {
  if (!rel || rel.includes('\0') || rel.includes('\\') || rel.startsWith('/')) return 'not a plain relative path';
  if (rel.split('/').some((s) => s === '' || s === '.' || s === '..')) return 'has an empty, "." or ".." segment';
  return null;
}

export class StagedDir {
  files = 0;
  bytes = 0;
  private removed = false;
  /** Small files being written (writeBehind). */
  private readonly behind = new InFlight(WRITE_BEHIND_FILES);

  private constructor(
    /** Where the archive's files are written. */
    readonly dir: string,
    /** The live directory they replace. */
    readonly target: string,
    /** Staged inside the target (a mount point or a symlink) rather than beside it. */
    readonly inside: boolean,
    private readonly label: string,
  ) {}

  /**
   * Creates the staging directory for `target` (which need not exist yet); `within` puts it in a
   * given directory instead (project files: staged in the app directory, swapped dir by dir).
   */
  static async create(target: string, label: string, within?: string): Promise<StagedDir> {
    const abs = path.resolve(target);
    const st = within ? null : await fs.promises.lstat(abs).catch(() => null);
    let live = abs;
    let inside = false;
    if (st?.isSymbolicLink()) {
      live = await fs.promises.realpath(abs);
      inside = true;
    } else if (st?.isDirectory()) {
      const parent = await fs.promises.stat(path.dirname(abs));
      inside = parent.dev !== st.dev;
    }
    const parentDir = within ?? (inside ? live : path.dirname(abs));
    await fs.promises.mkdir(parentDir, { recursive: true, mode: PUBLIC_DIR_MODE });
    const dir = path.join(parentDir, `.${label}-restore-${token()}`);
    await fs.promises.mkdir(dir, { mode: PUBLIC_DIR_MODE });
    await fs.promises.chmod(dir, PUBLIC_DIR_MODE);
    return new StagedDir(dir, live, inside, label);
  }

  /**
   * Writes one file at `rel`, checking it against the manifest while it streams. A small file is
   * read and checked whole, then written while the caller reads the next entries (see
   * WRITE_BEHIND_FILES); `finish` says whether those writes all landed.
   */
  async write(rel: string, data: AsyncIterable<Buffer>, expected: FileManifest, onBytes?: (n: number) => void): Promise<void> {
    const problem = unsafeRelativePath(rel);
    if (problem) throw new ArchiveRefusedError([`${expected.path} ${problem}`]);
    const abs = path.join(this.dir, ...rel.split('/'));
    if (expected.size <= SMALL_FILE_BYTES) return this.writeBehind(abs, data, expected, onBytes);
    await this.behind.finish(); // a failed small file fails the restore before a large one is written
    const handle = await this.open(abs, expected);
    const hash = createHash('sha256');
    let bytes = 0;
    // One write in flight while the next batch is read and hashed: the kernel's copy (most of a
    // restore's file time) overlaps the parsing and hashing instead of following it.
    const writes = new InFlight();
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of data) {
        hash.update(chunk);
        bytes += chunk.length;
        onBytes?.(chunk.length);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_BATCH_BYTES) {
          const [batch, length] = [pending, pendingBytes];
          await writes.start(() => writeAll(handle, batch, length, expected));
          pending = [];
          pendingBytes = 0;
        }
      }
      await writes.finish();
      if (pending.length) await writeAll(handle, pending, pendingBytes, expected);
    } finally {
      await writes.settled();
      await handle.close();
    }
    checkContent(expected, bytes, hash);
    this.counted(bytes);
  }

  /** Waits for the small files still being written; throws the first failure. */
  async finish(): Promise<void> {
    await this.behind.finish();
  }

  private async writeBehind(abs: string, data: AsyncIterable<Buffer>, expected: FileManifest, onBytes?: (n: number) => void): Promise<void> {
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of data) {
      bytes += chunk.length;
      if (bytes > expected.size) continue; // never held beyond the manifest's size (refused below)
      hash.update(chunk);
      onBytes?.(chunk.length);
      chunks.push(chunk);
    }
    checkContent(expected, bytes, hash); // a file that does not match is never written
    await this.behind.start(async () => {
      const handle = await this.open(abs, expected);
      try {
        await writeAll(handle, chunks, bytes, expected);
      } finally {
        await handle.close();
      }
      this.counted(bytes);
    });
  }

  /** Creates the file (and its directories), exclusively, with the public mode whatever the umask. */
  private async open(abs: string, expected: FileManifest): Promise<fs.promises.FileHandle> {
    await this.mkdirs(path.dirname(abs));
    const handle = await fs.promises.open(abs, WRITE_FLAGS, PUBLIC_FILE_MODE).catch((err) => {
      // Duplicate entries were refused before: what exists here is a directory made for another
      // entry, or on a case-insensitive file system a file whose name differs only in case.
      if (err.code === 'EEXIST') {
        throw new ArchiveRefusedError([
          `${expected.path} clashes with another entry of the archive (a directory of that name, or a name differing only in case)`,
        ]);
      }
      throw err;
    });
    await handle.chmod(PUBLIC_FILE_MODE).catch(async (err) => {
      await handle.close();
      throw err;
    });
    return handle;
  }

  private counted(bytes: number): void {
    this.files += 1;
    this.bytes += bytes;
  }

  /** Creates the directories between the staging root and `dir`, each 0755, never through a link. */
  async mkdirs(dir: string): Promise<void> {
    const rel = path.relative(this.dir, dir);
    let current = this.dir;
    for (const segment of rel ? rel.split(path.sep) : []) {
      current = path.join(current, segment);
      try {
        await fs.promises.mkdir(current, { mode: PUBLIC_DIR_MODE });
        await fs.promises.chmod(current, PUBLIC_DIR_MODE);
      } catch (err: any) {
        if (err.code !== 'EEXIST') throw err;
        const st = await fs.promises.lstat(current);
        if (!st.isDirectory()) throw new ArchiveRefusedError([`${path.relative(this.dir, current)} is both a file and a directory in the archive`]);
      }
    }
  }

  /**
   * Puts the staged files in place of the target. Returns the old content's location, to remove
   * with `removeOld`; on failure, whatever was moved is moved back and the error thrown.
   */
  async swap(): Promise<string | null> {
    await this.behind.finish();
    if (!this.inside) {
      const old = await swapDirectory(this.dir, this.target);
      this.removed = true;
      return old;
    }
    const old = path.join(this.target, `.${this.label}-old-${token()}`);
    await fs.promises.mkdir(old, { mode: PUBLIC_DIR_MODE });
    const own = new Set([path.basename(this.dir), path.basename(old)]);
    const moved: [string, string][] = [];
    try {
      for (const name of await fs.promises.readdir(this.target)) {
        if (own.has(name)) continue;
        await fs.promises.rename(path.join(this.target, name), path.join(old, name));
        moved.push([path.join(old, name), path.join(this.target, name)]);
      }
      for (const name of await fs.promises.readdir(this.dir)) {
        await fs.promises.rename(path.join(this.dir, name), path.join(this.target, name));
        moved.push([path.join(this.target, name), path.join(this.dir, name)]);
      }
    } catch (err) {
      for (const [from, to] of moved.reverse()) await fs.promises.rename(from, to).catch(() => undefined);
      throw err;
    }
    await fs.promises.rmdir(this.dir);
    this.removed = true;
    return old;
  }

  /** Removes the staging directory (before or instead of a swap). Safe to call more than once. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await this.behind.settled(); // no file created in it after it is gone
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Renames `staged` into place of `target` (same file system); the old directory goes aside under a
 * hidden name, returned for removal (null when there was none). On failure the old one comes back.
 */
export async function swapDirectory(staged: string, target: string): Promise<string | null> {
  const old = path.join(path.dirname(target), `.${path.basename(target)}-old-${token()}`);
  const exists = await fs.promises.lstat(target).then(
    () => true,
    () => false,
  );
  if (exists) await fs.promises.rename(target, old);
  try {
    await fs.promises.rename(staged, target);
  } catch (err) {
    if (exists) await fs.promises.rename(old, target).catch(() => undefined);
    throw err;
  }
  return exists ? old : null;
}

/** Removes what a swap put aside. */
export async function removeOld(old: string | null): Promise<void> {
  if (old) await fs.promises.rm(old, { recursive: true, force: true });
}

/** A full disk can end a write short without an error (libuv returns what it wrote). */
async function writeAll(handle: fs.promises.FileHandle, buffers: Buffer[], length: number, expected: FileManifest): Promise<void> {
  const { bytesWritten } = await handle.writev(buffers);
  if (bytesWritten !== length) throw new Error(`${expected.path}: only ${bytesWritten} of ${length} bytes could be written (is the disk full?)`);
}

function checkContent(expected: FileManifest, bytes: number, hash: Hash): void {
  if (bytes !== expected.size || hash.digest('hex') !== expected.sha256) {
    throw new ArchiveRefusedError([`${expected.path}: size or sha256 does not match the manifest (the archive is damaged, or changed since it was checked)`]);
  }
}
