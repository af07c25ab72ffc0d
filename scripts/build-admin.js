'use strict';
/**
 * Bundles the admin entry for Strapi's admin build: an ES module (what Vite imports) and a
 * CommonJS copy (what `require.resolve('strapi-plugin-backup/strapi-admin')` finds). Every
 * package stays external so the app's single copy of React and the design system is used.
 */
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');

const build = (format, outfile) =>
  esbuild.build({
    entryPoints: [path.join(root, 'admin/src/index.ts')],
    outfile: path.join(root, outfile),
    bundle: true,
    format,
    packages: 'external',
    jsx: 'automatic',
    target: 'es2020',
    sourcemap: true,
    logLevel: 'warning',
  });

Promise.all([build('esm', 'dist/admin/index.mjs'), build('cjs', 'dist/admin/index.js')]).catch(() => process.exit(1));
