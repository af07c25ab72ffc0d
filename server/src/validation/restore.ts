/** Body of `POST /backup/records/:documentId/restore`. */
import { errors, yup } from '@strapi/utils';
import { requestObject, validate } from './utils';

export interface RestoreBody {
  /** The archive's file name, typed by the admin: a restore replaces the whole site. */
  confirm: string;
  safetyBackup: boolean;
  force: boolean;
}

const CONFIRM = 'confirm is required: the archive’s file name, typed to confirm that the whole site will be replaced';

const schema = requestObject({
  confirm: yup.string().typeError(CONFIRM).required(CONFIRM),
  safetyBackup: yup.boolean().typeError('safetyBackup must be true or false'),
  force: yup.boolean().typeError('force must be true or false'),
});

export const validateRestoreBody = async (body: unknown, archiveFile: string | null): Promise<RestoreBody> => {
  const { confirm, safetyBackup = true, force = false } = await validate(schema, body);
  if (confirm !== archiveFile) {
    throw new errors.ValidationError(`confirm does not match the archive’s file name${archiveFile ? ` (“${archiveFile}”)` : ''}; nothing was queued.`);
  }
  return { confirm, safetyBackup, force };
};
