'use strict';
/**
 * `npm run playground:seed -- --articles N --uploads M [--upload-kb K] [--large-uploads L] [--large-mb S]`
 * Boots the playground without a server and fills it with generated content and upload files.
 */
const path = require('node:path');
const { parseArgs } = require('node:util');
const { ensureEnvFile } = require('./app-env');
const { loadApp } = require('./app-copy');
const { seedContent } = require('./seed-content');

const usage = 'usage: npm run playground:seed -- --articles N --uploads M [--upload-kb K] [--large-uploads L] [--large-mb S]';

const positiveInt = (name, value, fallback) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number (got “${value}”)\n${usage}`);
    process.exit(2);
  }
  return n;
};

const main = async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        articles: { type: 'string' },
        uploads: { type: 'string' },
        'upload-kb': { type: 'string' },
        'large-uploads': { type: 'string' },
        'large-mb': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${error.message}\n${usage}`);
    process.exit(2);
  }
  const appDir = path.resolve(__dirname, '../playground');
  ensureEnvFile(path.join(appDir, '.env'), path.join(appDir, '.env.example'));
  process.chdir(appDir);
  const strapi = await loadApp(appDir, {});
  const started = Date.now();
  await seedContent(strapi, {
    articles: positiveInt('articles', values.articles, 100),
    uploads: positiveInt('uploads', values.uploads, 20),
    uploadSize: positiveInt('upload-kb', values['upload-kb'], 20) * 1024,
    largeUploads: positiveInt('large-uploads', values['large-uploads'], 0),
    largeUploadSize: positiveInt('large-mb', values['large-mb'], 10) * 1024 * 1024,
    log: (message) => console.log(`seed: ${message}`),
  });
  console.log(`seed: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await strapi.destroy();
  process.exit(0);
};

main().catch((error) => {
  console.error(`seed failed: ${error.message}`);
  process.exit(1);
});
