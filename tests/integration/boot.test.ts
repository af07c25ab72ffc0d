/** The plugin refuses to boot with a configuration that would lose or expose archives. */
import fs from 'node:fs';
import path from 'node:path';
import { createTestApp, type TestApp } from '../helpers/strapi-app';

describe('boot-time checks (SQLite)', () => {
  // One app per case: Node caches an app's compiled config modules once they are loaded.
  const apps: TestApp[] = [];
  const freshApp = async () => {
    const app = await createTestApp('sqlite', 'boot');
    apps.push(app);
    return app;
  };

  afterAll(async () => {
    for (const app of apps) await app.destroy();
  });

  it('refuses a storage directory under public/, where Strapi serves files to anyone', async () => {
    const app = await freshApp();
    app.env.BACKUP_DIR = path.join(app.dir, 'public/backups');
    await expect(app.boot()).rejects.toThrow(/storage\.directory .*public\/backups.* is inside the public directory/);
    expect(fs.existsSync(path.join(app.dir, 'public/backups'))).toBe(false);
  });

  it('refuses an unknown configuration key, naming it', async () => {
    const app = await freshApp();
    const plugins = path.join(app.dir, 'config/plugins.js');
    fs.writeFileSync(plugins, fs.readFileSync(plugins, 'utf8').replace('config: {', 'config: { wrker: { enabled: false },'));
    await expect(app.boot()).rejects.toThrow(/backup.*wrker is not a known option/);
  });
});
