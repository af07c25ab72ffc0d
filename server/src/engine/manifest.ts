/**
 * Builds the manifest written last into every archive, and parses/validates one read back.
 * The manifest is the archive's table of contents: every other entry must be listed in it with
 * its sha256 (and rows or size), so verify can tell a complete archive from a tampered one.
 */
import { FORMAT_NAME, FORMAT_VERSION } from './constants';
import type { Dialect, FileManifest, Manifest, ManifestContents, TableManifest } from './types';

export function buildManifest(input: {
  createdAt: Date;
  dialect: Dialect;
  meta: Pick<Manifest, 'strapiVersion' | 'pluginVersion' | 'profile'>;
  tables: TableManifest[];
  files: FileManifest[];
  contents: ManifestContents;
}): Manifest {
  return {
    format: FORMAT_NAME,
    formatVersion: FORMAT_VERSION,
    createdAt: input.createdAt.toISOString(),
    strapiVersion: input.meta.strapiVersion ?? null,
    pluginVersion: input.meta.pluginVersion ?? null,
    dialect: input.dialect,
    profile: input.meta.profile ?? null,
    tables: input.tables,
    files: input.files,
    contents: input.contents,
  };
}

export function serializeManifest(m: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(m, null, 2)}\n`, 'utf8');
}

const SHA256 = /^[0-9a-f]{64}$/;
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Parses manifest text; returns the manifest when it is well formed, and one line per problem. */
export function parseManifest(text: string): { manifest: Manifest | null; errors: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { manifest: null, errors: [`manifest.json is not valid JSON: ${(err as Error).message}`] };
  }
  const errors = validateManifest(data);
  return { manifest: errors.length === 0 ? (data as Manifest) : null, errors };
}

export function validateManifest(data: unknown): string[] {
  if (!isObj(data)) return ['manifest.json is not a JSON object'];
  const errors: string[] = [];
  if (data.format !== FORMAT_NAME) {
    errors.push(`manifest.json: format is ${JSON.stringify(data.format)}, expected "${FORMAT_NAME}"`);
  }
  if (data.formatVersion !== FORMAT_VERSION) {
    errors.push(`manifest.json: formatVersion ${JSON.stringify(data.formatVersion)} is not supported (expected ${FORMAT_VERSION})`);
  }
  if (errors.length) return errors; // another format: its other fields mean nothing to us
  if (typeof data.createdAt !== 'string' || Number.isNaN(Date.parse(data.createdAt))) errors.push('manifest.json: createdAt is not a date');
  if (!['sqlite', 'postgres', 'mysql'].includes(data.dialect)) errors.push(`manifest.json: unknown dialect ${JSON.stringify(data.dialect)}`);
  if (!Array.isArray(data.tables)) errors.push('manifest.json: tables is not a list');
  else {
    data.tables.forEach((t: unknown, i: number) => {
      if (!isObj(t) || typeof t.name !== 'string' || !t.name) return void errors.push(`manifest.json: tables[${i}] has no name`);
      if (!isCount(t.rows)) errors.push(`manifest.json: table ${t.name} has an invalid row count`);
      if (typeof t.sha256 !== 'string' || !SHA256.test(t.sha256)) errors.push(`manifest.json: table ${t.name} has an invalid sha256`);
      if (!Array.isArray(t.columns)) errors.push(`manifest.json: table ${t.name} has no column list`);
    });
  }
  if (!Array.isArray(data.files)) errors.push('manifest.json: files is not a list');
  else {
    data.files.forEach((f: unknown, i: number) => {
      if (!isObj(f) || typeof f.path !== 'string' || !f.path) return void errors.push(`manifest.json: files[${i}] has no path`);
      if (!isCount(f.size)) errors.push(`manifest.json: file ${f.path} has an invalid size`);
      if (typeof f.sha256 !== 'string' || !SHA256.test(f.sha256)) errors.push(`manifest.json: file ${f.path} has an invalid sha256`);
    });
  }
  if (data.contents !== undefined) {
    const c = data.contents;
    const flags = ['database', 'uploads', 'projectFiles', 'env'];
    if (
      !isObj(c) ||
      flags.some((k) => typeof c[k] !== 'boolean') ||
      !Array.isArray(c.excludedTables) ||
      c.excludedTables.some((t: unknown) => typeof t !== 'string')
    ) {
      errors.push('manifest.json: contents is malformed');
    }
  }
  return errors;
}
