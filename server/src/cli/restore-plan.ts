/**
 * What a restore will replace, said before anything changes, and the operator's answer.
 *
 * On a terminal without --yes the CLI prints the archive (its date, size and Strapi version from
 * its manifest) and what it replaces, and asks (y/N). Without a terminal it never guesses: no
 * --yes is a usage error (exit 2), checked before the app is even booted.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline/promises';
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { localUploadsDir } from '../backup-input';
import { ENV_FILE, FILES_PREFIX, MANIFEST_NAME, PROJECT_INCLUDE_DIRS, UPLOADS_PREFIX, parseManifest, type Manifest } from '../engine';
import { drain, readEntries } from '../engine/archive-read';
import { readTailManifest } from '../engine/tail-manifest';
import type { RestoreRequestOptions } from '../../../shared/contracts';
import { usageError } from './errors';
import { formatBytes } from './output';

/** Where a confirmation can be answered: a person at a terminal. */
export const canAsk = (): boolean => Boolean(process.stdin.isTTY);

/** Refuses at once, before any boot or change, when nobody can answer and --yes was not given. */
export const assertConfirmable = (yes: boolean) => {
  if (!yes && !canAsk()) {
    throw usageError('A restore replaces the whole site: pass --yes to confirm it when no terminal can answer');
  }
};

/**
 * The archive's manifest, or null when it cannot be read (the restore's own check then refuses the
 * archive and says why). The manifest is the last entry: read from the end of a plain tar, else by
 * reading the whole archive once, which only a confirmation on a terminal pays for.
 */
export const readManifest = async (file: string): Promise<Manifest | null> => {
  try {
    const tail = await readTailManifest(file);
    if (tail) return parseManifest(tail.bytes.toString('utf8')).manifest;
    for await (const entry of readEntries(file)) {
      if (entry.header.name !== MANIFEST_NAME) {
        await drain(entry);
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk);
      return parseManifest(Buffer.concat(chunks).toString('utf8')).manifest;
    }
  } catch {
    // A damaged archive: the check that follows names the damage.
  }
  return null;
};

/** The database a knex connection points at, as an operator recognizes it. */
export const databaseLabel = (knex: Knex): string => {
  const config = knex.client.config as { client?: string; connection?: Record<string, unknown> };
  const c = config.connection ?? {};
  if (typeof c.filename === 'string') return `SQLite ${c.filename}`;
  const client = String(config.client ?? '')
    .replace(/^pg$/, 'PostgreSQL')
    .replace(/^mysql2?$/, 'MySQL/MariaDB');
  return `${client} database “${c.database}” on ${c.host}:${c.port}`;
};

export interface PlanInput {
  file: string;
  manifest: Manifest | null;
  knex: Knex;
  uploadsDir: string | null;
  projectDir: string;
  options: RestoreRequestOptions;
  /** What is said about the safety backup (the offline restore takes its own). */
  safetyNote: string;
}

/** The lines shown before the question: the archive, then each thing it replaces. */
export const describePlan = async ({ file, manifest, knex, uploadsDir, projectDir, options, safetyNote }: PlanInput): Promise<string[]> => {
  const size = await fs.stat(file).then(
    (s) => formatBytes(s.size),
    () => '?',
  );
  const has = (prefix: string) => manifest?.files.some((f) => f.path.startsWith(prefix)) ?? false;
  const lines = [`Restore ${file}`];
  lines.push(
    manifest
      ? `  made ${manifest.createdAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} by Strapi ${manifest.strapiVersion ?? '(unknown version)'} on ${manifest.dialect}, ${size}`
      : `  ${size}; its manifest cannot be read (the check before the restore will say why)`,
  );
  lines.push('It replaces:', `  - the database: ${databaseLabel(knex)} (every table but the backup history)`);
  if (uploadsDir && (manifest?.contents?.uploads ?? has(UPLOADS_PREFIX))) lines.push(`  - the uploads in ${uploadsDir}`);
  if (options.files && (manifest?.contents?.projectFiles ?? has(FILES_PREFIX))) {
    lines.push(`  - the project files in ${projectDir}: ${PROJECT_INCLUDE_DIRS.map((d) => `${d}/`).join(', ')}, package.json and the other top-level files`);
  }
  if (options.env && has(`${FILES_PREFIX}${ENV_FILE}`)) lines.push(`  - ${path.join(projectDir, ENV_FILE)}`);
  lines.push(safetyNote);
  return lines;
};

/** Prints the plan on stderr (stdout stays for --json) and asks; true only for y or yes. */
export const confirm = async (lines: string[]): Promise<boolean> => {
  process.stderr.write(`${lines.join('\n')}\n`);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question('Restore? (y/N) ')).trim());
  } finally {
    rl.close();
  }
};

/** Describes the restore to the operator and asks; on a "no" it says nothing changed and gives false. */
export const confirmPlan = async (strapi: Core.Strapi, file: string, options: RestoreRequestOptions, safetyNote: string): Promise<boolean> => {
  const lines = await describePlan({
    file,
    manifest: await readManifest(file),
    knex: strapi.db.connection,
    uploadsDir: localUploadsDir(strapi),
    projectDir: strapi.dirs.app.root,
    options,
    safetyNote,
  });
  if (await confirm(lines)) return true;
  process.stderr.write('Nothing was changed.\n');
  return false;
};
