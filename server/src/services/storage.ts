/**
 * Where archives live. Paths never come from a request: names are made here and resolved inside
 * the configured directory only.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../engine';
import { fileTimestamp, getConfig, slugify } from '../utils';

/** Scratch space of jobs, inside the storage directory so renames stay on one file system. */
const SCRATCH = '.tmp';
/** Archives are a copy of the whole site: never committed, never copied into an image by `COPY .`. */
const GITIGNORE = { name: '.gitignore', text: '# strapi-plugin-backup: archives hold the whole site (password hashes, tokens). Never commit them.\n*\n' };

/** Archive names end in `-<record id>.tar` or `.tar.gz` (see archiveName); a partial one adds `.partial`. */
const ARCHIVE_END = '-(\\d+)\\.tar(?:\\.gz)?';
const ARCHIVE = new RegExp(`${ARCHIVE_END}$`);
const PARTIAL = new RegExp(`${ARCHIVE_END}\\.partial$`);

/** The record id in a scratch directory (`job-12`) or a partial archive name (`…-12.tar.partial`). */
export const leftoverRecordId = (name: string): number | null => {
  const match = /^job-(\d+)$/.exec(name) ?? PARTIAL.exec(name);
  return match ? Number(match[1]) : null;
};

/** Whether a file name is a finished archive's (`….tar`, `….tar.gz`), whoever wrote it. */
export const isArchiveName = (name: string): boolean => /\.tar(?:\.gz)?$/.test(name);

/** The record id a finished archive's name was made for (`…-12.tar` → 12), or null for another name. */
export const archiveRecordId = (name: string): number | null => {
  const match = ARCHIVE.exec(name);
  return match ? Number(match[1]) : null;
};

export const isInside = (parent: string, child: string): boolean => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

const createStorageService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Absolute archive directory: `storage.directory` (relative to the app) or `<app>/backups`. */
  directory(): string {
    const configured = getConfig(strapi).storage.directory;
    return path.resolve(strapi.dirs.app.root, configured || 'backups');
  },

  /** Refuses a directory under `public/`, where Strapi would serve archives to anyone. */
  assertSafeDirectory(): void {
    const dir = this.directory();
    const publicDir = path.resolve(strapi.dirs.static.public);
    if (isInside(publicDir, dir)) {
      throw new Error(
        `backup.config.storage.directory (${dir}) is inside the public directory (${publicDir}), where Strapi serves files to anyone. Choose a directory outside public/.`,
      );
    }
  },

  /** Creates the directory (owner only) with its `.gitignore`, unless they exist. */
  async ensureDirectory(): Promise<string> {
    const dir = this.directory();
    await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // 'wx': written once, never over an operator's own file; and never where it would hide the app
    // itself from git (a storage directory set to the app directory or one above it).
    if (isInside(dir, strapi.dirs.app.root)) return dir;
    await fs.writeFile(path.join(dir, GITIGNORE.name), GITIGNORE.text, { flag: 'wx', mode: PRIVATE_FILE_MODE }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return dir;
  },

  archiveName(profileName: string, recordId: number, date: Date, format: 'tar' | 'tar.gz'): string {
    return `${slugify(profileName)}-${fileTimestamp(date)}-${recordId}.${format}`;
  },

  /** Absolute path of an archive name; throws when the name would leave the directory. */
  resolve(fileName: string): string {
    const dir = this.directory();
    const full = path.resolve(dir, fileName);
    if (path.dirname(full) !== dir) throw new Error(`Invalid archive name: ${fileName}`);
    return full;
  },

  /** Scratch space for one job. */
  scratchDir(recordId: number): string {
    return path.join(this.directory(), SCRATCH, `job-${recordId}`);
  },

  /** Finished archives in the directory (any `.tar` / `.tar.gz` file), with their sizes; none when it does not exist. */
  async archives(): Promise<{ name: string; size: number }[]> {
    const dir = this.directory();
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const found = await Promise.all(
      entries
        .filter((entry) => entry.isFile() && isArchiveName(entry.name))
        // A file removed between the listing and its stat (retention, a delete) is simply gone.
        .map(async ({ name }) => ({ name, size: (await fs.stat(path.join(dir, name)).catch(() => null))?.size ?? null })),
    );
    return found.filter((archive): archive is { name: string; size: number } => archive.size !== null);
  },

  /** Bytes free for this process on the directory's disk (what a backup can still write). */
  async freeSpace(): Promise<number> {
    const { bavail, bsize } = await fs.statfs(this.directory());
    return bavail * bsize;
  },

  /**
   * What jobs may have left on disk, with the record each belongs to: scratch directories and
   * partial archives (a finished archive is found by its record).
   */
  async leftovers(): Promise<{ path: string; recordId: number }[]> {
    const dir = this.directory();
    const list = async (parent: string) =>
      (await fs.readdir(parent).catch(() => [] as string[])).map((name) => ({ path: path.join(parent, name), recordId: leftoverRecordId(name) }));
    const found = [...(await list(dir)).filter((e) => e.path.endsWith('.partial')), ...(await list(path.join(dir, SCRATCH)))];
    return found.filter((e): e is { path: string; recordId: number } => e.recordId !== null);
  },
});

export default createStorageService;
