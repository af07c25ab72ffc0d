/**
 * The real `strapi-backup` binary as an operator types it: global options on either side of the
 * command, from another directory with only the app's `.env`, per-command help, and verify told
 * whether it reads a record or a file. The database is not at stake here: SQLite only (the
 * exit codes of every command run on each dialect in backup.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/wait';
import { createTestApp, type CliResult, type TestApp, servicesOf } from '../helpers/strapi-app';
import { accepted, found } from '../helpers/results';
import type { BackupRecord } from '../../shared/contracts';

/** Matches a string that begins with `prefix`, taken literally. */
const startingWith = (prefix: string) => expect.stringMatching(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

const expectUsageError = (result: CliResult, ...mentions: string[]) => {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^strapi-backup: /);
  for (const mention of mentions) expect(lines[0]).toContain(mention);
};

describe('the strapi-backup CLI as an operator types it', () => {
  let app: TestApp;
  /** A directory that is not the app: where an operator stands when passing --app-dir. */
  let elsewhere: string;
  /** A completed backup, taken in this process before the CLI runs. */
  let record: BackupRecord;

  beforeAll(async () => {
    app = await createTestApp('sqlite', 'cli');
    await app.boot();
    const service = servicesOf(() => app.strapi);
    const queued = accepted(await service('queue').enqueue({ profile: await service('profiles').resolve(), kind: 'backup', trigger: 'api' }));
    await waitFor(
      async () => {
        record = found(await service('records').findById(queued.record.id), `record ${queued.record.id}`);
        return record.status === 'completed';
      },
      60000,
      'the first backup to complete',
    );
    await app.stop(); // each CLI process boots its own instance of the app
    elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'strapi-backup-cwd-'));
  }, 240000);

  afterAll(async () => {
    await app?.destroy();
    if (elsewhere) fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it('reads --app-dir, --json and --debug before or after the command', async () => {
    for (const args of [
      ['--app-dir', app.dir, '--json', '--debug', 'run', '--wait'],
      ['run', '--wait', '--debug', '--json', `--app-dir=${app.dir}`],
    ]) {
      const run = await app.cli(args, { cwd: elsewhere });
      expect({ args, code: run.code }).toEqual({ args, code: 0 });
      // --json: stdout is the record alone; --debug: Strapi's debug logs, on stderr.
      expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', trigger: 'cli' });
      expect(run.stderr).toMatch(/^\[[\d-]+ [\d:.]+\] \S*debug\S*: /m); // coloured on some terminals
    }
  });

  it("loads the app's .env from another directory, and the environment still wins over it", async () => {
    // A .env where the operator stands belongs to something else: the app must never read it.
    const decoy = path.join(elsewhere, 'decoy');
    fs.writeFileSync(path.join(elsewhere, '.env'), `DATABASE_FILENAME=${decoy}.db\nBACKUP_DIR=${decoy}-backups\n`);
    try {
      // No Strapi, database or backup variable in the environment: only the app's .env has them.
      const run = await app.cli(['run', '--wait', '--json', '--app-dir', app.dir], { cwd: elsewhere, appEnv: false });
      expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
      const done = JSON.parse(run.stdout);
      expect(done).toMatchObject({ status: 'completed', trigger: 'cli' });
      expect(fs.existsSync(path.join(app.backupsDir, done.archiveFile))).toBe(true);
      expect(fs.readdirSync(elsewhere).filter((f) => f.startsWith('decoy'))).toEqual([]);

      // A variable already set wins over the .env, as under `strapi start`.
      const exported = path.join(elsewhere, 'exported-backups');
      const overridden = await app.cli(['run', '--wait', '--json', '--app-dir', app.dir], {
        cwd: elsewhere,
        appEnv: false,
        env: { BACKUP_DIR: exported },
      });
      expect(overridden.code).toBe(0);
      const archive = JSON.parse(overridden.stdout).archiveFile;
      expect(fs.existsSync(path.join(exported, archive))).toBe(true);
      expect(fs.existsSync(path.join(app.backupsDir, archive))).toBe(false);
    } finally {
      fs.rmSync(path.join(elsewhere, '.env'));
    }
  });

  it('refuses a run the admin would refuse (the same preflight), with exit 1 and nothing queued', async () => {
    const service = servicesOf(() => app.strapi);
    const setEncrypt = async (encrypt: boolean) => {
      await app.boot({ compile: false });
      const profile = await service('profiles').resolve();
      await app.strapi.db.query('plugin::backup.profile').update({ where: { id: profile.id }, data: { encrypt } });
      const count = await app.strapi.db.query('plugin::backup.record').count();
      await app.stop();
      return count;
    };
    const before = await setEncrypt(true);
    try {
      const run = await app.cli(['run', '--wait']);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        'strapi-backup: The profile “Full site” asks for encrypted archives, but encryption is not available yet in this version of the plugin; no unencrypted archive was written. Turn encrypt off on the profile.',
      );
    } finally {
      expect(await setEncrypt(false)).toBe(before);
    }
  });

  it("shows a command's usage and options with help <command>, --help and -h", async () => {
    const outputs = [];
    for (const args of [
      ['help', 'run'],
      ['run', '--help'],
      ['--app-dir', app.dir, 'run', '-h'],
    ]) {
      const help = await app.cli(args, { cwd: elsewhere, appEnv: false });
      expect({ args, code: help.code, stderr: help.stderr }).toEqual({ args, code: 0, stderr: '' });
      outputs.push(help.stdout);
    }
    expect(new Set(outputs).size).toBe(1);
    const [text] = outputs;
    expect(text).toMatch(/^Usage: strapi-backup run \[options\]/);
    for (const option of ['--profile <name>', '--wait', '--app-dir <dir>', '--json', '--debug']) {
      expect(text).toMatch(new RegExp(`^ +${option} +\\S`, 'm')); // each with its one-line description
    }
    expect(text).toContain('.env');

    const verifyHelp = await app.cli(['help', 'verify'], { cwd: elsewhere, appEnv: false });
    expect(verifyHelp.code).toBe(0);
    expect(verifyHelp.stdout).toMatch(/--record <id>[\s\S]*--file <path>/);

    expectUsageError(await app.cli(['help', 'restorre'], { cwd: elsewhere, appEnv: false }), '“restorre”');
    const version = await app.cli(['-v'], { cwd: elsewhere, appEnv: false });
    expect(version).toMatchObject({ code: 0, stdout: `${require('../../package.json').version}\n` });
  });

  it('answers a usage error with exit 2 and one line, before booting anything', async () => {
    for (const [args, mention] of [
      [['--json'], 'Missing command'],
      [['--app-dir'], '--app-dir'],
      [['cancel', '1', '2'], 'too many arguments'],
      [['run', '--wiat'], '--wiat'],
      [['list', '--status', 'sleeping'], 'sleeping'],
    ] as const) {
      // From a directory with no app: a boot would fail with exit 1, not 2.
      expectUsageError(await app.cli([...args], { cwd: elsewhere, appEnv: false }), mention);
    }
  });

  it('verifies the archive of a record or a file, says which, and refuses to guess between them', async () => {
    const archive = path.join(app.backupsDir, found(record.archiveFile, 'the archive of the backup'));
    const id = String(record.id);

    // --file never boots the app: from a directory that holds no app and with no app variable.
    const byFile = await app.cli(['verify', '--file', archive], { cwd: elsewhere, appEnv: false });
    expect(byFile).toMatchObject({ code: 0, stdout: startingWith(`OK file ${archive}: `) });
    const byFileJson = await app.cli(['--json', 'verify', '--file', archive], { cwd: elsewhere, appEnv: false });
    expect(JSON.parse(byFileJson.stdout)).toMatchObject({ ok: true, checked: 'file', record: null, file: archive });

    // A file named like the record where the operator stands: a bare "verify 12" is ambiguous,
    // --record says which, and a path is a file whatever its name.
    const namesake = path.join(app.dir, id);
    fs.writeFileSync(namesake, 'not an archive');
    try {
      expectUsageError(await app.cli(['verify', id]), `--record ${id}`, `--file ${id}`);
      const byId = await app.cli(['verify', '--record', id, '--json']);
      expect(byId.code).toBe(0);
      expect(JSON.parse(byId.stdout)).toMatchObject({ ok: true, checked: 'record', record: { id: record.id }, file: archive });
      const asPath = await app.cli(['verify', `./${id}`]);
      expect(asPath.code).toBe(4);
      expect(asPath.stderr).toContain(`Verify failed for file ${namesake}:`);
    } finally {
      fs.rmSync(namesake);
    }
    // A bare documentId is a record too.
    const byDocumentId = await app.cli(['verify', record.documentId]);
    expect(byDocumentId).toMatchObject({ code: 0, stdout: startingWith(`OK record ${id} (archive ${archive}): `) });

    for (const args of [['verify', '--record', id, '--file', archive], ['verify', '--file', archive, id], ['verify', '--record', id, id], ['verify']]) {
      expectUsageError(await app.cli(args, { cwd: elsewhere, appEnv: false }), '--record', '--file');
    }
  });
});
