/**
 * Where archives live. Paths never come from a request: names are made here and resolved inside
 * the configured directory only.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { fileTimestamp, getConfig, slugify } from '../utils';

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
        `backup.config.storage.directory (${dir}) is inside the public directory (${publicDir}), where Strapi serves files to anyone. Choose a directory outside public/.`
      );
    }
  },

  async ensureDirectory(): Promise<string> {
    const dir = this.directory();
    await fs.mkdir(dir, { recursive: true });
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

  /** Scratch space for one job, inside the storage directory so renames stay on one file system. */
  scratchDir(recordId: number): string {
    return path.join(this.directory(), '.tmp', `job-${recordId}`);
  },
});

export type StorageService = ReturnType<typeof createStorageService>;
export default createStorageService;
