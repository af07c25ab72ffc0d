/** The backup engine: pure Node + knex, no Strapi. */
export { createBackup } from './backup';
export { verifyArchive, type VerifyOptions } from './verify';
export { parseManifest, validateManifest } from './manifest';
export * from './constants';
export type * from './types';
