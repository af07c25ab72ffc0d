/** The backup and restore engine: pure Node + knex, no Strapi. */
export { createBackup } from './backup';
export { verifyArchive, type VerifyOptions } from './verify';
export { parseManifest, validateManifest } from './manifest';
export { checkArchive } from './check';
export { restoreArchive } from './restore';
export { restoreLeftovers } from './extract';
export { finishInterruptedSwap } from './swap-load';
export { ArchiveRefusedError, RestoreFailedError } from './errors';
export * from './constants';
export type * from './types';
