/**
 * Project files (the CLI's `--files`): the old code comes back with its data.
 *
 * What a backup archives under `files/` is exactly what a restore replaces, so the result is the
 * app as it was backed up:
 * - each included directory (`config/`, `src/`, `database/migrations/`) is replaced whole by the
 *   archive's version: a file or folder added since the backup (a new content type) is gone, one
 *   removed since comes back. Whatever a backup never archives inside them stays as it is:
 *   `node_modules`, `.cache`, `dist`, `build`, `.git` … folders, `.env*` files, symlinks, and the
 *   paths in `projectExclude` — moved into the new tree when their parent folder still exists
 *   there (otherwise they belonged to code that is gone, and go with it);
 * - the included top-level files (`package.json`, lockfiles, `tsconfig.json`, …) are replaced,
 *   and removed when the archive does not have them (they did not exist at backup time);
 * - `.env` only with `includeEnv` and when the archive has it; it is never removed.
 * Everything else in the app directory is never touched. Files are staged in a hidden directory
 * inside the app directory and swapped in after the database commit, one rename per directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ENV_FILE, FILES_PREFIX, PROJECT_EXCLUDE_DIR_NAMES, PROJECT_INCLUDE_DIRS, PROJECT_INCLUDE_FILES, isEnvFileName } from './constants';
import { PUBLIC_DIR_MODE, removeOld, swapDirectory } from './extract';

/** Where an archive entry `files/<rel>` goes inside the app (`rel`), or null when a restore skips it. */
export function projectEntryPath(name: string, includeEnv: boolean): string | null {
  if (!name.startsWith(FILES_PREFIX)) return null;
  const rel = name.slice(FILES_PREFIX.length);
  if (rel === ENV_FILE) return includeEnv ? rel : null;
  if (PROJECT_INCLUDE_FILES.includes(rel)) return rel;
  if (!PROJECT_INCLUDE_DIRS.some((d) => rel.startsWith(`${d}/`))) return null;
  const segments = rel.split('/');
  // What a backup never archives is never written either (it is carried over from the live tree).
  if (segments.slice(0, -1).some((s) => PROJECT_EXCLUDE_DIR_NAMES.has(s)) || isEnvFileName(segments[segments.length - 1])) return null;
  return rel;
}

const exists = (p: string) =>
  fs.promises.lstat(p).then(
    (s) => s,
    () => null,
  );

/**
 * Swaps the staged project files into `projectDir`. Returns what was put aside, to remove once
 * everything is in place (`removeOld`).
 */
export async function applyProjectFiles(stagingDir: string, projectDir: string, opts: { includeEnv?: boolean; exclude?: string[] } = {}): Promise<string[]> {
  const excluded = (opts.exclude ?? []).map((p) => path.resolve(p));
  const olds: string[] = [];
  for (const dir of PROJECT_INCLUDE_DIRS) {
    const staged = path.join(stagingDir, dir);
    const target = path.join(projectDir, dir);
    const [st, live] = await Promise.all([exists(staged), exists(target)]);
    if (!st && !live) continue;
    if (!st) await fs.promises.mkdir(staged, { recursive: true, mode: PUBLIC_DIR_MODE });
    await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: PUBLIC_DIR_MODE });
    const old = await swapDirectory(staged, target);
    if (old) {
      olds.push(old);
      await carryOver(old, target, (rel) =>
        excluded.some((x) => {
          const abs = path.join(target, rel);
          return abs === x || abs.startsWith(x + path.sep);
        }),
      );
    }
  }
  const files = [...PROJECT_INCLUDE_FILES, ...(opts.includeEnv ? [ENV_FILE] : [])];
  for (const file of files) {
    const staged = path.join(stagingDir, file);
    const target = path.join(projectDir, file);
    if (await exists(staged)) {
      await fs.promises.rename(staged, target);
    } else if (file !== ENV_FILE && (await exists(target))?.isFile()) {
      await fs.promises.rm(target);
    }
  }
  await removeOld(stagingDir);
  return olds;
}

/** Moves what a backup never archives from the old tree into the new one (see the header). */
async function carryOver(oldRoot: string, newRoot: string, isExcluded: (rel: string) => boolean, rel = ''): Promise<void> {
  const entries = await fs.promises.readdir(path.join(oldRoot, rel), { withFileTypes: true });
  for (const e of entries) {
    const childRel = rel ? path.join(rel, e.name) : e.name;
    const kept =
      isExcluded(childRel) ||
      e.isSymbolicLink() ||
      (e.isDirectory() && PROJECT_EXCLUDE_DIR_NAMES.has(e.name)) ||
      (e.isFile() && isEnvFileName(e.name)) ||
      (!e.isFile() && !e.isDirectory());
    if (kept) {
      if (!(await exists(path.join(newRoot, childRel)))) {
        await fs.promises.rename(path.join(oldRoot, childRel), path.join(newRoot, childRel));
      }
    } else if (e.isDirectory() && (await exists(path.join(newRoot, childRel)))?.isDirectory()) {
      await carryOver(oldRoot, newRoot, isExcluded, childRel);
    }
  }
}
