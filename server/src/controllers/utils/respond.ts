/** Answers Strapi's errors middleware cannot give, in the shape it gives every other error. */
import type { Context } from 'koa';

const errorBody = (ctx: Context, status: number, name: string, message: string, details: Record<string, unknown>) => {
  ctx.status = status;
  ctx.body = { data: null, error: { status, name, message, details } };
};

/**
 * 409 Conflict: the request is valid but the state of a job or profile refuses it. @strapi/utils
 * has no error class that maps to 409.
 */
export const conflict = (ctx: Context, message: string, details: Record<string, unknown> = {}) => errorBody(ctx, 409, 'ConflictError', message, details);

/**
 * 403 with its reason: a ForbiddenError thrown from a controller reaches the client as a bare
 * "Forbidden" (Strapi's authorize middleware rewrites it), which would not say what to do.
 */
export const forbidden = (ctx: Context, message: string) => errorBody(ctx, 403, 'ForbiddenError', message, {});
