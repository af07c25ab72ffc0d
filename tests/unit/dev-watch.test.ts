/**
 * The matcher the plugin adds to `admin.watchIgnoreFiles`, under the chokidar that `strapi
 * develop` uses: for every kind of storage directory (the default, nested, a name chokidar would
 * read as a glob, the app root, above the app, outside it), what a backup writes there raises no
 * watcher event, and the rest of the app is still watched. The integration test
 * (develop-watch.test.ts) covers the same with a real `strapi develop` and the default directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storageIgnoreMatcher } from '../../server/src/dev-watch';

// The chokidar Strapi's develop command resolves, not whichever one is hoisted.
const chokidar = require(require.resolve('chokidar', { paths: [require.resolve('@strapi/strapi')] }));

/** Watches `appRoot` as `strapi develop` does, with only the plugin's matcher in `ignored`; records every event. */
const watch = async (appRoot: string, ignore: (file: string) => boolean) => {
  const events: string[] = [];
  const watcher = chokidar.watch(appRoot, { ignoreInitial: true, ignored: [ignore] });
  for (const event of ['add', 'change', 'unlink']) watcher.on(event, (file: string) => events.push(`${event} ${path.relative(appRoot, file)}`));
  await new Promise((resolve) => watcher.once('ready', resolve));
  return { events, close: () => watcher.close() };
};

/** What a backup does in the storage directory: scratch files, a `.partial` written in chunks, renamed, later removed. */
const writeLikeABackup = async (dir: string) => {
  await fs.promises.mkdir(path.join(dir, '.tmp/job-7'), { recursive: true });
  await fs.promises.writeFile(path.join(dir, '.gitignore'), '*\n');
  await fs.promises.writeFile(path.join(dir, '.tmp/job-7/snapshot.sqlite'), 'x'.repeat(4096));
  const archive = path.join(dir, 'full-site-20261201-080000-7.tar');
  const handle = await fs.promises.open(`${archive}.partial`, 'w');
  for (let i = 0; i < 20; i += 1) await handle.write(Buffer.alloc(64 * 1024, i));
  await handle.sync();
  await handle.close();
  await fs.promises.rename(`${archive}.partial`, archive);
  await fs.promises.rm(path.join(dir, '.tmp/job-7'), { recursive: true });
  await fs.promises.writeFile(`${archive}.gz`, 'gz');
  await fs.promises.rm(archive);
};

const until = async (what: string, events: string[], event: string) => {
  const deadline = Date.now() + 10000;
  while (!events.includes(event)) {
    if (Date.now() > deadline) throw new Error(`no "${event}" event (${what}); seen: ${events.join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('storage directory under strapi develop’s watcher', () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-watch-'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it.each([
    ['the default <app>/backups', 'backups'],
    ['a nested directory in the app', 'var/site-backups'],
    ['a name chokidar reads as a glob', 'backups (old) [1]'],
    ['the app root itself', '.'],
    ['a parent of the app', '..'],
    ['a directory outside the app', '../elsewhere'],
  ])('%s: no event for what a backup writes, the app still watched', async (_label, configured) => {
    const appRoot = path.join(base, 'site');
    fs.mkdirSync(path.join(appRoot, 'src'), { recursive: true });
    const storageDir = path.resolve(appRoot, configured);
    const matcher = storageIgnoreMatcher(appRoot, storageDir, path.join(storageDir, '.tmp'));
    const { events, close } = await watch(appRoot, matcher);
    try {
      // Created after the watcher started, as a first backup does.
      await fs.promises.mkdir(storageDir, { recursive: true });
      await writeLikeABackup(storageDir);
      // A probe written and removed after the backup: once its removal is seen, so would any
      // earlier event be (chokidar delays removals by the same 100 ms).
      const probe = path.join(appRoot, 'src/probe.js');
      await fs.promises.writeFile(probe, '//\n');
      await until('probe created', events, 'add src/probe.js');
      await fs.promises.rm(probe);
      await until('probe removed', events, 'unlink src/probe.js');
      // Only the probe: under load chokidar may also report its write as a change.
      expect(events.filter((e) => e !== 'change src/probe.js')).toEqual(['add src/probe.js', 'unlink src/probe.js']);
    } finally {
      await close();
    }
  });

  it('the app root as storage: the app’s own files stay watched', () => {
    const appRoot = path.join(os.tmpdir(), 'site');
    const ignored = storageIgnoreMatcher(appRoot, appRoot, path.join(appRoot, '.tmp'));
    const mine = ['a.tar', 'a.tar.gz', 'a.tar.partial', 'a.tar.gz.partial', '.gitignore', '.tmp', '.tmp/job-1/x'];
    const theApps = [appRoot, 'config/plugins.js', 'src/index.js', 'notes.tar.md', 'src/x.tar', 'src/.gitignore'];
    expect(mine.filter((f) => !ignored(path.resolve(appRoot, f)))).toEqual([]);
    expect(theApps.filter((f) => ignored(path.resolve(appRoot, f)))).toEqual([]);
  });
});
