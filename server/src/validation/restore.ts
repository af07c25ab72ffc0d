/** Body of `POST /backup/records/:documentId/restore`. */
import { errors } from '@strapi/utils';
import { assertKnownKeys } from './utils';

export interface RestoreBody {
  /** The archive's file name, typed by the admin: a restore replaces the whole site. */
  confirm: string;
  safetyBackup: boolean;
  force: boolean;
}

export const validateRestoreBody = (body: unknown, archiveFile: string | null): RestoreBody => {
  const { confirm, safetyBackup = true, force = false } = assertKnownKeys(body, ['confirm', 'safetyBackup', 'force']);
  for (const [name, value] of [
    ['safetyBackup', safetyBackup],
    ['force', force],
  ] as const) {
    if (typeof value !== 'boolean') throw new errors.ValidationError(`${name} must be true or false`);
  }
  if (typeof confirm !== 'string' || confirm === '') {
    throw new errors.ValidationError('confirm is required: the archive’s file name, typed to confirm that the whole site will be replaced');
  }
  if (confirm !== archiveFile) {
    throw new errors.ValidationError(`confirm does not match the archive’s file name${archiveFile ? ` (“${archiveFile}”)` : ''}; nothing was queued.`);
  }
  return { confirm, safetyBackup: safetyBackup as boolean, force: force as boolean };
};
