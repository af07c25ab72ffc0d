/**
 * `/api/backup/...`: for deploy scripts holding a Strapi API token. Strapi's content-API auth
 * checks the token and its scope (`plugin::backup.runs.createFromApi`, ...); a full-access
 * token has them all.
 */
export default [
  { method: 'POST', path: '/runs', handler: 'runs.createFromApi' },
  { method: 'GET', path: '/records/:documentId', handler: 'records.findOne' },
];
