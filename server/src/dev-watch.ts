/**
 * Keeps the storage directory out of `strapi develop`'s file watcher.
 *
 * `strapi develop` runs the server in a cluster worker and watches the whole app directory with
 * chokidar; any file event it does not ignore makes the primary kill that worker and fork a new
 * one. Backups write archives, `.partial` files and scratch files into the storage directory —
 * `<app>/backups` by default, inside the watched tree — so each backup restarted the server while
 * it ran (measured: 244 file events and 4 restarts for 6 backups of the playground), killing the
 * job and logging every admin out.
 *
 * Strapi 5.54 (`@strapi/strapi` src/node/develop.ts) starts that watcher in the worker after
 * `strapi.load()`, so after every plugin's `register()`, and only then reads
 * `admin.watchIgnoreFiles` into chokidar's `ignored` list: a matcher added here is honoured.
 */
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { ARCHIVE_FORMATS } from '../../shared/constants';
import { isInside } from './services/storage';
import { getService } from './utils';

const WATCH_IGNORE_KEY = 'admin.watchIgnoreFiles';

/** Names the plugin writes at the top of the storage directory: archives, their `.partial`, the `.gitignore`. */
const isPluginEntry = (name: string): boolean =>
  name === '.gitignore' || ARCHIVE_FORMATS.some((format) => name.endsWith(`.${format}`) || name.endsWith(`.${format}.partial`));

/**
 * Whether the watcher should ignore `file` (chokidar passes absolute paths with `/` separators):
 * everything in the storage directory and below; but when the storage directory holds the app
 * itself (`.` or a parent), ignoring it all would blind the watcher, so then only the scratch
 * directory and the plugin's own files at its top.
 */
export const storageIgnoreMatcher = (appRoot: string, storageDir: string, scratchRoot: string) => {
  const holdsApp = isInside(storageDir, appRoot);
  return (file: string): boolean => {
    if (!isInside(storageDir, file)) return false;
    if (!holdsApp || isInside(scratchRoot, file)) return true;
    const rel = path.relative(storageDir, file);
    return rel !== '' && path.dirname(rel) === '.' && isPluginEntry(rel);
  };
};

/**
 * Appends the storage directory's matcher to `admin.watchIgnoreFiles`, keeping the app's entries.
 * A function rather than the directory's path (Strapi types the setting `string[]`, but hands it
 * to chokidar as is): a path cannot say "only these files" when the storage directory holds the
 * app, and chokidar 3 (Strapi 5.54) reads strings as globs where chokidar 4 compares them as
 * paths, while a function means the same to both. Nothing but `strapi develop` reads the setting.
 */
export const keepStorageOutOfDevWatcher = (strapi: Core.Strapi): void => {
  const storage = getService(strapi, 'storage');
  const matcher = storageIgnoreMatcher(strapi.dirs.app.root, storage.directory(), path.dirname(storage.scratchDir(0)));
  const current: unknown = strapi.config.get(WATCH_IGNORE_KEY, []);
  strapi.config.set(WATCH_IGNORE_KEY, [...(Array.isArray(current) ? current : [current]), matcher]);
};
