/** Body of `POST /backup/runs` (admin) and `POST /api/backup/runs` (API token). */
import { errors, yup } from '@strapi/utils';
import { RECORD_KINDS } from '../../../shared/constants';
import { notBlank, requestObject, validate } from './utils';

/** What a valid body asks for: always a backup, of this profile (the default profile when absent). */
export interface RunInput {
  /** documentId of the profile. */
  profile?: string;
}

/** Where the request came from: a restore is never accepted through the content API. */
export type RunDoor = 'admin' | 'content-api';

const PROFILE = 'profile must be the documentId of a backup profile (a non-empty string)';
const KIND = `kind must be “backup” (known kinds: ${RECORD_KINDS.join(', ')})`;

const schema = requestObject({
  profile: yup.string().nullable().typeError(PROFILE).test('not-blank', PROFILE, notBlank),
  kind: yup.string().typeError(KIND),
});

export const validateRunBody = async (body: unknown, door: RunDoor): Promise<RunInput> => {
  const { profile, kind = 'backup' } = await validate(schema, body);
  if (kind === 'restore' && door === 'content-api') {
    // An API token is a secret often kept in CI or a frontend; overwriting the site is not for it.
    throw new errors.ValidationError(
      'A restore cannot be requested through the content API, whatever the token; use the admin panel or the strapi-backup CLI.',
    );
  }
  if (kind === 'restore') {
    throw new errors.ValidationError('A restore needs an archive: POST /backup/records/:documentId/restore with the backup to restore.');
  }
  if (kind !== 'backup') throw new errors.ValidationError(KIND);
  return { profile: profile ?? undefined };
};
