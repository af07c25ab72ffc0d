/**
 * The app as far as an offline restore needs it, without booting it: Strapi's own configuration
 * (config/ or a TypeScript app's compiled dist/config, with the app's `.env`), its database
 * connection, and the plugin's two tables — nothing of the app's code runs.
 *
 * `createStrapi(...)` alone loads the configuration and builds the database layer from
 * `config/database` (Strapi's client names mapped to knex's, its pool and SQLite settings) without
 * registering a plugin or touching a table; `load()`, which an app that cannot boot fails in, is
 * never called. Plugin configuration is loaded by the plugins' registration, so `config/plugins`
 * is read here the way Strapi reads it (plugins.js, then env/<NODE_ENV>/plugins.js). The plugin's
 * two content types go through Strapi's content-type registry and its database metadata, so table,
 * column and link-table names are Strapi's own (pre-sync/raw-records.ts writes by them).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { env, importDefault } from '@strapi/utils';
import pluginConfig, { defaultConfig, type PluginConfig } from '../config';
import { PLUGIN_ID } from '../../../shared/constants';
import contentTypes from '../content-types';
import { CliError } from './errors';
import { distDirOf, logsToStderr, strapiOf } from './boot';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Defaults overlaid with what the user set, object by object (how Strapi merges a plugin's config). */
const mergeDeep = (base: Plain, over: unknown): Plain => {
  if (!isPlain(over)) return base;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = isPlain(value) && isPlain(base[key]) ? mergeDeep(base[key] as Plain, value) : value;
  return out;
};

/** `config/plugins` as Strapi's plugin loader reads it (getUserPluginsConfig in @strapi/core). */
const userPluginsConfig = (configDir: string): Record<string, { config?: unknown }> => {
  const load = (file: string) => {
    if (!fs.existsSync(file)) return {};
    const loaded = importDefault(file);
    return (typeof loaded === 'function' ? loaded({ env }) : loaded) ?? {};
  };
  const envFile = path.join(configDir, 'env', process.env.NODE_ENV ?? 'development', 'plugins.js');
  return mergeDeep(load(path.join(configDir, 'plugins.js')), load(envFile)) as Record<string, { config?: unknown }>;
};

/** The plugin's models, as Strapi's bootstrap hands them to the database (ids and document ids added). */
const loadPluginModels = (app: Core.Strapi) => {
  const registry = app.get('content-types');
  const namespace = `plugin::${PLUGIN_ID}`;
  registry.add(namespace, contentTypes);
  const ours = `${namespace}.`;
  const models = Object.values(registry.getAll(namespace) as Record<string, any>).map((ct) => ({
    uid: ct.uid,
    singularName: ct.modelName,
    tableName: ct.collectionName,
    attributes: {
      id: { type: 'increments' },
      documentId: { type: 'string' },
      // createdBy / updatedBy point at admin users, a model not loaded here; nothing offline writes them.
      ...Object.fromEntries(Object.entries(ct.attributes as Record<string, any>).filter(([, a]) => a.type !== 'relation' || String(a.target).startsWith(ours))),
    },
  }));
  (app.db.metadata as any).loadModels(models);
};

/** An unbooted Strapi of the app: config, dirs, `db` (connection, dialect, the plugin's metadata). Close it with `db.destroy()`. */
export const openOfflineApp = async (appDir: string, debug: boolean): Promise<Core.Strapi> => {
  const { createStrapi } = strapiOf(appDir);
  // Never compiled here: compiling may be what broke. A TypeScript app's last compiled config is read.
  const distDir = await distDirOf(appDir, null);
  const configDir = path.join(distDir, 'config');
  if (!fs.existsSync(configDir)) {
    throw new CliError(`Cannot read the app's configuration without booting it: ${configDir} does not exist (compile the app first: npm run build)`);
  }
  const app = createStrapi({ appDir, distDir, autoReload: false, serveAdminPanel: false });
  logsToStderr(app, debug);
  const plugins = userPluginsConfig(configDir);
  const backup = mergeDeep(defaultConfig as unknown as Plain, plugins[PLUGIN_ID]?.config) as unknown as PluginConfig;
  pluginConfig.validator(plugins[PLUGIN_ID]?.config ?? {});
  app.config.set(`plugin::${PLUGIN_ID}`, backup);
  // The upload provider decides whether uploads are on this disk (backup-input.ts reads it).
  app.config.set('plugin::upload', mergeDeep({ provider: 'local' }, plugins.upload?.config));
  loadPluginModels(app);
  return app;
};
