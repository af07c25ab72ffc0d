import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../../shared/constants';
import type { PluginConfig } from './config';
import type { Services } from './services';

/** The nearest package.json above this file: the package's own, from server/src (tests) or dist/server/src. */
const ownPackage = (): { version: string } => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
    if (fs.existsSync(file)) return require(file);
  }
  throw new Error(`no package.json above ${__dirname}`);
};

export const PLUGIN_VERSION = ownPackage().version;

/** Typed access to this plugin's services. */
export const getService = <Name extends keyof Services>(strapi: Core.Strapi, name: Name): ReturnType<Services[Name]> =>
  strapi.plugin(PLUGIN_ID).service(name) as ReturnType<Services[Name]>;

export const getConfig = (strapi: Core.Strapi): PluginConfig => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;

/** `Full site` → `full-site`; never empty, so archive names always start with something readable. */
export const slugify = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'backup';

/** `20261123-140205` in UTC, sortable and safe in file names. */
export const fileTimestamp = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/** A JSON object: not null, not a list. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A one-line message for anything thrown (drivers sometimes throw plain objects). */
export const errorMessage = (error: unknown): string => {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    if (typeof message === 'string') return code ? `${message} (${code})` : message;
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
};

/** Unique violations per dialect: SQLite (better-sqlite3), PostgreSQL, MySQL/MariaDB. */
const UNIQUE_VIOLATION = new Set(['SQLITE_CONSTRAINT_UNIQUE', '23505', 'ER_DUP_ENTRY']);

/** True when `error` (or what caused it) is a unique index refusing a value of `column`. */
export const isUniqueViolation = (error: unknown, column: string): boolean => {
  for (let e: any = error; e; e = e.cause) {
    if (UNIQUE_VIOLATION.has(e.code) && `${e.message} ${e.constraint ?? ''}`.includes(column)) return true;
  }
  return false;
};
