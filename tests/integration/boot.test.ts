/** The plugin refuses to boot with a configuration that would lose or expose archives. */
import fs from 'node:fs';
import path from 'node:path';
import { createTestApp, type TestApp } from '../helpers/strapi-app';

describe('boot-time checks (SQLite)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp('sqlite', 'boot');
  });

  afterAll(async () => {
    await app?.destroy();
  });

  it('refuses a storage directory under public/, where Strapi serves files to anyone', async () => {
    app.env.BACKUP_DIR = path.join(app.dir, 'public/backups');
    await expect(app.boot()).rejects.toThrow(/storage\.directory .*public\/backups.* is inside the public directory/);
    expect(fs.existsSync(path.join(app.dir, 'public/backups'))).toBe(false);
  });

  it('refuses an unknown configuration key, naming it', async () => {
    app.env.BACKUP_DIR = path.join(app.dir, 'backups');
    const plugins = path.join(app.dir, 'config/plugins.js');
    fs.writeFileSync(plugins, fs.readFileSync(plugins, 'utf8').replace('config: {', 'config: { wrker: { enabled: false },'));
    await expect(app.boot()).rejects.toThrow(/backup.*wrker is not a known option/);
  });
});
