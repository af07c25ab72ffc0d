/** Answers Strapi's errors middleware has no class for, in its usual error shape. */

/**
 * 409 Conflict: the request is valid but the state of a job or profile refuses it. @strapi/utils
 * has no error class that maps to 409, so the body is written here in the shape its errors
 * middleware gives every other error.
 */
export const conflict = (ctx: any, message: string, details: Record<string, unknown> = {}) => {
  ctx.status = 409;
  ctx.body = { data: null, error: { status: 409, name: 'ConflictError', message, details } };
};
