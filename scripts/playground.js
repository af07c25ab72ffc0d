'use strict';
/**
 * `npm run playground`: installs what is missing, builds the plugin, gives the playground its
 * secrets on first run, and starts it at http://localhost:1337/admin.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureEnvFile } = require('./app-env');

const root = path.resolve(__dirname, '..');
const playground = path.join(root, 'playground');

const run = (command, args, cwd = root) => {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!fs.existsSync(path.join(root, 'node_modules/@strapi/strapi/package.json'))) {
  console.log('Installing dependencies (first run, a few minutes)…');
  run('npm', ['install', '--no-audit', '--no-fund']);
}
run('npm', ['run', 'build']);
if (ensureEnvFile(path.join(playground, '.env'), path.join(playground, '.env.example'))) {
  console.log('Wrote playground/.env with fresh secrets.');
}
fs.mkdirSync(path.join(playground, 'public/uploads'), { recursive: true });
run('npx', ['strapi', 'develop', ...process.argv.slice(2)], playground);
