/**
 * restoreArchive's file side, on archives without a database (so on SQLite only: no table is
 * touched): project files come back as they were backed up (what was added since goes, what a
 * backup never archives stays), `.env` only when asked, and an upload directory that is a symlink
 * (a volume) is restored through it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { createBackup, restoreArchive } from '../../server/src/engine';
import type { BackupResult, RestoreOptions } from '../../server/src/engine/types';
import { connectLikeStrapi, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { tempDir, writeFiles } from '../helpers/archive';
import { filesState } from '../helpers/site-state';

let db: TestDatabase;
let knex: Knex;
let work: string;
let app: string;

beforeAll(async () => {
  db = await createTestDatabase('sqlite', 'restore_files');
  knex = connectLikeStrapi(db);
  work = await tempDir('restore-files-');
  app = path.join(work, 'app');
});

afterAll(async () => {
  await knex?.destroy();
  await db?.drop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

const backupOf = (name: string, over: { uploadsDir?: string | null; projectDir?: string | null; includeEnv?: boolean }): Promise<BackupResult> =>
  createBackup({
    knex,
    dialect: 'sqlite',
    includeDatabase: false,
    uploadsDir: null,
    projectDir: null,
    format: 'tar',
    outFile: path.join(work, name),
    tmpDir: path.join(work, `tmp-${name}`),
    meta: { strapiVersion: null, pluginVersion: null, profile: null },
    ...over,
  });

const restoreOf = (backup: BackupResult, over: Partial<RestoreOptions>) =>
  restoreArchive({ knex, dialect: 'sqlite', file: backup.file, manifest: backup.manifest, ...over });

test('project files: the old code comes back, what a backup never archives stays, .env only when asked', async () => {
  await writeFiles(app, {
    'config/server.ts': 'export default { port: 1337 };',
    'src/index.ts': 'export default {};',
    'src/api/article/content-types/article/schema.json': '{"kind":"collectionType"}',
    'database/migrations/001.js': 'up',
    'package.json': '{"name":"app","version":"1.0.0"}',
    'package-lock.json': '{}',
    '.env': 'APP_KEYS=old',
    'README.md': 'not a project file',
  });
  const backup = await backupOf('project.tar', { projectDir: app, includeEnv: true });
  const archived = await filesState(app);

  // The site moves on: a new content type, changed config, a deleted file, a new lockfile, a new
  // migration; and things a backup never archives: dependencies, build output, secrets, symlinks.
  await writeFiles(app, {
    'config/server.ts': 'export default { port: 8080 };',
    'src/api/product/content-types/product/schema.json': '{"kind":"collectionType"}',
    'src/api/product/node_modules/dep/index.js': 'orphan',
    'src/plugins/local/node_modules/dep/index.js': 'orphan too',
    'src/node_modules/kept/index.js': 'kept',
    'src/.env.local': 'LOCAL=1',
    'database/migrations/002.js': 'up 2',
    'package.json': '{"name":"app","version":"2.0.0"}',
    'yarn.lock': 'lock',
    '.env': 'APP_KEYS=new',
    'README.md': 'changed, and not a project file',
    'dist/server.js': 'build output',
  });
  await fs.promises.rm(path.join(app, 'src', 'index.ts'));
  await fs.promises.symlink('/etc/hostname', path.join(app, 'src', 'link'));

  const result = await restoreOf(backup, { projectDir: app, restoreFiles: true });
  expect(result).toMatchObject({ projectFiles: 'replaced', uploads: 'unchanged', tables: {} });
  const after = await filesState(app);
  const { '.env': envNow, ...rest } = after;
  const { '.env': envArchived, 'README.md': _r, ...archivedRest } = archived;
  expect(envNow).not.toEqual(envArchived); // .env stays without includeEnv
  expect(rest).toEqual({
    ...archivedRest,
    'README.md': expect.any(String),
    'dist/server.js': expect.any(String),
    'src/node_modules/kept/index.js': expect.any(String),
    'src/.env.local': expect.any(String),
    'src/link': '-> /etc/hostname',
  });
  expect(fs.readFileSync(path.join(app, 'README.md'), 'utf8')).toBe('changed, and not a project file');
  expect(fs.existsSync(path.join(app, 'src', 'api', 'product'))).toBe(false);
  expect(fs.existsSync(path.join(app, 'src', 'plugins'))).toBe(false);
  expect(fs.readdirSync(app).filter((n) => n.startsWith('.') && n !== '.env')).toEqual([]);
  expect(fs.statSync(path.join(app, 'config', 'server.ts')).mode & 0o777).toBe(0o644);
  expect(fs.statSync(path.join(app, 'config')).mode & 0o777).toBe(0o755);

  await restoreOf(backup, { projectDir: app, restoreFiles: true, includeEnv: true });
  expect(fs.readFileSync(path.join(app, '.env'), 'utf8')).toBe('APP_KEYS=old');

  // Without restoreFiles nothing under the app changes.
  await writeFiles(app, { 'config/server.ts': 'again' });
  const before = await filesState(app);
  expect(await restoreOf(backup, { projectDir: app })).toMatchObject({ projectFiles: 'unchanged', files: 0 });
  expect(await filesState(app)).toEqual(before);
});

test('uploads: an archive without uploads leaves them alone; a symlinked upload directory is restored through the link', async () => {
  const volume = path.join(work, 'volume');
  const publicDir = path.join(work, 'site', 'public');
  await writeFiles(volume, { 'a.jpg': 'a', 'sub/b.png': 'b' });
  await fs.promises.mkdir(publicDir, { recursive: true });
  await fs.promises.symlink(volume, path.join(publicDir, 'uploads'));
  const uploadsDir = path.join(publicDir, 'uploads');
  const backup = await backupOf('uploads.tar', { uploadsDir });
  const archived = await filesState(volume);

  await writeFiles(volume, { 'a.jpg': 'changed', 'new.gif': 'new' });
  await fs.promises.rm(path.join(volume, 'sub'), { recursive: true });
  const changed = await filesState(volume);

  const noUploads = await backupOf('none.tar', {});
  expect(await restoreOf(noUploads, { uploadsDir })).toMatchObject({ uploads: 'unchanged' });
  expect(await filesState(volume)).toEqual(changed);

  expect(await restoreOf(backup, { uploadsDir })).toMatchObject({ uploads: 'replaced', files: 2 });
  expect(fs.lstatSync(uploadsDir).isSymbolicLink()).toBe(true);
  expect(await filesState(volume)).toEqual(archived);
  expect(fs.readdirSync(volume).sort()).toEqual(['a.jpg', 'sub']);
  expect(fs.statSync(path.join(volume, 'sub', 'b.png')).mode & 0o777).toBe(0o644);
  expect(fs.statSync(path.join(volume, 'sub')).mode & 0o777).toBe(0o755);
  expect(fs.readdirSync(publicDir)).toEqual(['uploads']);
});
