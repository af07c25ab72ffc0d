/**
 * The plugin refuses to boot with a configuration that would lose or expose archives. Each boot
 * runs in a process of its own (the real CLI, which boots the app as `strapi start` does): a
 * refused boot leaves Strapi's other loaders still requiring the app's files, which in this
 * process would outlive the test file (Jest then fails the run: "a file required after the
 * environment has been torn down", seen in a CI run on a busy machine).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createTestApp, type TestApp } from '../helpers/strapi-app';

describe('boot-time checks (SQLite)', () => {
  // One app per case, as each changes its configuration.
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
    const run = await app.cli(['list']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 1,
      stderr: expect.stringMatching(/storage\.directory .*public\/backups.* is inside the public directory/),
    });
    expect(fs.existsSync(path.join(app.dir, 'public/backups'))).toBe(false);
  });

  it('refuses an unknown configuration key, naming it', async () => {
    const app = await freshApp();
    const plugins = path.join(app.dir, 'config/plugins.js');
    fs.writeFileSync(plugins, fs.readFileSync(plugins, 'utf8').replace('config: {', 'config: { wrker: { enabled: false },'));
    const run = await app.cli(['list']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/backup.*wrker is not a known option/) });
  });
});
