/**
 * Lists the files a backup archives: everything under the upload directory (as `uploads/<rel>`)
 * and the selected project files of the app (as `files/<rel>`). Only regular files are listed;
 * symlinks are skipped (following them could archive anything on the machine). The order is
 * sorted and deterministic, so two backups of the same site list the same entries.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ENV_FILE,
  FILES_PREFIX,
  PROJECT_EXCLUDE_DIR_NAMES,
  PROJECT_EXCLUDE_PATHS,
  PROJECT_INCLUDE_DIRS,
  PROJECT_INCLUDE_FILES,
  UPLOADS_PREFIX,
  isEnvFileName,
} from './constants';
import { throwIfAborted } from './hash-stream';

export interface SourceFile {
  /** Absolute path on disk. */
  abs: string;
  /** Path inside the archive (forward slashes). */
  name: string;
  stats: fs.Stats;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Every regular file under `dir`, recursively, skipping symlinks and directories in `skip`. */
async function walk(
  dir: string,
  prefix: string,
  skip: (abs: string, name: string, isDir: boolean) => boolean,
  out: SourceFile[],
  signal?: AbortSignal,
): Promise<void> {
  throwIfAborted(signal);
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (err: any) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    const name = `${prefix}${e.name}`;
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) {
      if (!skip(abs, e.name, true)) await walk(abs, `${name}/`, skip, out, signal);
    } else if (e.isFile()) {
      if (skip(abs, e.name, false)) continue;
      const stats = await fs.promises.lstat(abs);
      if (stats.isFile()) out.push({ abs, name, stats });
    }
  }
}

/** The upload directory, everything in it, under `uploads/`. */
export async function listUploads(uploadsDir: string, signal?: AbortSignal): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  await walk(path.resolve(uploadsDir), UPLOADS_PREFIX, () => false, out, signal);
  return out.sort(byName);
}

export interface ProjectFileOptions {
  includeEnv?: boolean;
  /** Absolute paths never archived (the backups directory, the upload directory, scratch space). */
  exclude?: string[];
  signal?: AbortSignal;
}

/** The project files of the app under `files/`: config, code, lockfiles, migrations — no secrets. */
export async function listProjectFiles(projectDir: string, opts: ProjectFileOptions = {}): Promise<SourceFile[]> {
  const root = path.resolve(projectDir);
  const excluded = [...(opts.exclude ?? []), ...PROJECT_EXCLUDE_PATHS.map((p) => path.join(root, p))].map((p) => path.resolve(p));
  const isExcluded = (abs: string) => excluded.some((x) => abs === x || abs.startsWith(x + path.sep));
  const skip = (abs: string, name: string, isDir: boolean) => isExcluded(abs) || (isDir ? PROJECT_EXCLUDE_DIR_NAMES.has(name) : isEnvFileName(name));

  const out: SourceFile[] = [];
  for (const dir of PROJECT_INCLUDE_DIRS) {
    const abs = path.join(root, dir);
    if (isExcluded(abs)) continue;
    await walk(abs, `${FILES_PREFIX}${dir}/`, skip, out, opts.signal);
  }
  const files = [...PROJECT_INCLUDE_FILES, ...(opts.includeEnv ? [ENV_FILE] : [])];
  for (const f of files) {
    const abs = path.join(root, f);
    if (isExcluded(abs)) continue;
    const stats = await fs.promises.lstat(abs).catch(() => null);
    if (stats?.isFile()) out.push({ abs, name: `${FILES_PREFIX}${f}`, stats });
  }
  return out.sort(byName);
}
