/**
 * The services' own errors, for what @strapi/utils' error classes (ValidationError → 400,
 * NotFoundError → 404, thrown as they are) have no class for. The controllers map these.
 */

/** A profile that cannot be deleted while it has jobs; answered with 409 Conflict. */
export class ProfileBusyError extends Error {
  override readonly name = 'ProfileBusyError';

  constructor(
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}
