/** Request validation that always ends in a 400 naming the field, never a 500. */
import { errors, yup } from '@strapi/utils';

/**
 * Validates strictly (no coercion: `"5"` is not an integer) and collects every problem, so one
 * request tells the user everything that is wrong with it.
 */
export const validate = async <T>(schema: { validate(value: unknown, options: object): Promise<T> }, input: unknown): Promise<T> => {
  try {
    return await schema.validate(input, { strict: true, abortEarly: false, stripUnknown: false });
  } catch (error) {
    if (error instanceof yup.ValidationError) {
      const problems = error.inner.length > 0 ? error.inner : [error];
      throw new errors.ValidationError(problems.map((p: yup.ValidationError) => p.message).join('; '), {
        errors: problems.map((p: yup.ValidationError) => ({ path: p.path ? p.path.split('.') : [], message: p.message, name: p.name })),
      });
    }
    throw error;
  }
};

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A body must be a JSON object; unknown keys are refused by name rather than ignored. */
export const assertKnownKeys = (input: unknown, known: readonly string[], what = 'body'): Record<string, unknown> => {
  if (input === undefined || input === null) return {};
  if (!isPlainObject(input)) throw new errors.ValidationError(`The request ${what} must be a JSON object.`);
  const unknown = Object.keys(input).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new errors.ValidationError(
      `Unknown ${unknown.length === 1 ? 'field' : 'fields'} in the request ${what}: ${unknown.join(', ')} (known: ${known.join(', ')})`,
      {
        errors: unknown.map((key) => ({ path: [key], message: `${key} is not a known field`, name: 'ValidationError' })),
      },
    );
  }
  return input;
};

export { isPlainObject };
