/**
 * For suites that run the real CLI against a test app: a backup taken in the test process, the
 * site's state to compare (every table but the plugin's own, every upload), a damaged copy of an
 * archive, and the CLI run on a terminal (a pseudo-terminal from util-linux `script`) with an answer.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import { craftArchive } from './archive';
import { waitFor } from './wait';
import type { TestDialect } from './databases';
import { databaseState, filesState } from './site-state';
import type { CliResult, TestApp } from './strapi-app';
import { servicesOf } from './strapi-app';
import { accepted } from './results';

const CLI = path.resolve(__dirname, '../../bin/strapi-backup.js');

/** The plugin's tables: a restore keeps them (the history survives), so they are left out of comparisons. */
const PLUGIN_TABLE = /^backup_/;

export interface TakenBackup {
  id: number;
  documentId: string;
  archiveFile: string;
}

/** A completed backup of the booted app's default profile (database, uploads, project files). */
export const backUp = async (app: TestApp): Promise<TakenBackup> => {
  const service = servicesOf(() => app.strapi);
  const queued = accepted(await service('queue').enqueue({ profile: await service('profiles').resolve(), kind: 'backup', trigger: 'api' }));
  let record: any;
  await waitFor(
    async () => {
      record = await service('records').findById(queued.record.id);
      return record.status === 'completed' || record.status === 'failed';
    },
    60000,
    'the backup to end',
  );
  if (record.status !== 'completed') throw new Error(`the backup failed: ${record.message}`);
  return { id: record.id, documentId: record.documentId, archiveFile: record.archiveFile };
};

/**
 * A record row written as another process would have left it (a job running elsewhere, a restore
 * asked from the admin), in the plugin's table, without a profile link. Returns its id.
 */
export const insertRecordRow = async (knex: Knex, row: Record<string, unknown>): Promise<number> => {
  const document_id = `job${Math.random().toString(36).slice(2)}`.padEnd(24, '0').slice(0, 24);
  const [inserted] = await knex('backup_records').insert({ document_id, ...row }, ['id']);
  return Number(typeof inserted === 'object' ? inserted.id : inserted);
};

/** A datetime column as the drivers return it (SQLite: epoch ms; PostgreSQL, MySQL: Date) in ms. */
export const timeOf = (value: unknown): number => new Date(value as string).getTime();

export interface SiteState {
  tables: Record<string, string>;
  uploads: Record<string, string>;
}

/**
 * Rows of Strapi's core store that every boot of the app writes (each CLI process boots it): the
 * upload plugin's metrics schedule (a new time at each boot), its media-library notice, the
 * content manager's layouts. A change there is the boot's, never a restore's.
 */
const BOOT_WRITTEN = /^(plugin_upload_metrics|plugin_upload_media_library_default_notice|plugin_content_manager_configuration_.*)$/;
const CORE_STORE = 'strapi_core_store_settings';

/** Checksums of every table but the plugin's (the core store without what a boot writes), and sha256 of every upload. */
export const siteState = async (knex: Knex, dialect: TestDialect, appDir: string): Promise<SiteState> => {
  const all = await databaseState(knex, dialect);
  const tables = Object.fromEntries(Object.entries(all).filter(([name]) => !PLUGIN_TABLE.test(name) && name !== CORE_STORE));
  const store = (await knex(CORE_STORE).select('key', 'value', 'type', 'environment', 'tag').orderBy('id')).filter((row) => !BOOT_WRITTEN.test(row.key));
  tables[CORE_STORE] = createHash('sha256').update(JSON.stringify(store)).digest('hex');
  return { tables, uploads: await filesState(path.join(appDir, 'public/uploads')) };
};

/** A copy of `archive` with one byte of its first non-empty upload changed; its manifest is left as it was. */
export const tamperedCopy = (archive: string, dest: string): Promise<void> =>
  craftArchive(
    archive,
    dest,
    (entries) => {
      const upload = entries.find((e) => e.name.startsWith('uploads/') && e.data.length > 0);
      if (!upload) throw new Error(`${archive} has no upload to tamper with`);
      upload.data[0] ^= 0xff;
    },
    false,
  );

/**
 * The CLI on a terminal (its stdin, stdout and stderr a pseudo-terminal), answering `answer` once
 * `prompt` shows. What it printed comes back as stdout (a terminal has one output).
 */
export const cliOnTerminal = (app: TestApp, args: string[], prompt: string, answer: string, timeoutMs = 90000): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: app.dir, env: { ...process.env, ...app.env } });
    let output = '';
    let answered = false;
    child.stdout.on('data', (d) => {
      output += d;
      if (!answered && output.includes(prompt)) {
        answered = true;
        child.stdin.write(`${answer}\n`);
      }
    });
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strapi-backup ${args.join(' ')} on a terminal did not exit within ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: output, stderr: '' });
    });
  });
