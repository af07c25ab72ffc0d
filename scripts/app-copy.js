'use strict';
/**
 * A copy of the playground app (config, content types, components) in another directory, with
 * its own `.env`: the throw-away apps of the tests and the benchmark.
 */
const fs = require('node:fs');
const path = require('node:path');

const PLAYGROUND = path.resolve(__dirname, '../playground');
const APP_ENTRIES = ['config', 'src', 'database', 'package.json', 'tsconfig.json'];

/** Copies the playground's code (config, content types, components) into `dir`, over what is there. */
const copyPlaygroundCode = (dir) => {
  for (const entry of APP_ENTRIES) {
    fs.cpSync(path.join(PLAYGROUND, entry), path.join(dir, entry), { recursive: true });
  }
};

/** Copies the playground into `dir` and writes `env` as its `.env`. */
const copyPlayground = (dir, env) => {
  copyPlaygroundCode(dir);
  fs.mkdirSync(path.join(dir, 'public/uploads'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, '.env'),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    { mode: 0o600 },
  );
};

/**
 * Compiles and loads an app without an HTTP server, with the process env set for it.
 * `compile: false` reuses the last compiled dist/ (seconds saved when no source file changed).
 */
const loadApp = async (dir, env, { logLevel = 'warn', compile = true } = {}) => {
  // Strapi reads its settings from process.env; set them for this app, overriding the last one's.
  Object.assign(process.env, env);
  const { compileStrapi, createStrapi } = require('@strapi/strapi');
  const { distDir } = compile ? await compileStrapi({ appDir: dir, ignoreDiagnostics: true }) : { distDir: path.join(dir, 'dist') };
  const app = createStrapi({ appDir: dir, distDir, autoReload: false, serveAdminPanel: false });
  app.log.level = logLevel;
  try {
    return await app.load();
  } catch (error) {
    // Close what the failed boot opened (database pool, cron); the boot error is the one to report.
    await app.destroy().catch(() => undefined);
    throw error;
  }
};

module.exports = { copyPlayground, copyPlaygroundCode, loadApp };
