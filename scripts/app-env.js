'use strict';
/** The secrets every Strapi app needs, made fresh (never committed), as create-strapi-app does. */
const crypto = require('node:crypto');
const fs = require('node:fs');

const random = () => crypto.randomBytes(16).toString('base64');

const freshSecrets = () => ({
  APP_KEYS: [random(), random(), random(), random()].join(','),
  API_TOKEN_SALT: random(),
  ADMIN_JWT_SECRET: random(),
  TRANSFER_TOKEN_SALT: random(),
  JWT_SECRET: random(),
  ENCRYPTION_KEY: random(),
});

/** Writes `envFile` from `exampleFile` with fresh secrets, unless it exists already. */
const ensureEnvFile = (envFile, exampleFile) => {
  if (fs.existsSync(envFile)) return false;
  const secrets = freshSecrets();
  const text = fs
    .readFileSync(exampleFile, 'utf8')
    .split('\n')
    .map((line) => {
      const key = line.split('=')[0];
      return key in secrets && line === `${key}=` ? `${key}=${secrets[key]}` : line;
    })
    .join('\n');
  fs.writeFileSync(envFile, text, { mode: 0o600 });
  return true;
};

module.exports = { freshSecrets, ensureEnvFile };
