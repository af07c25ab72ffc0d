/** Request validation with Strapi's yup: always a 400 naming the field, never a 500. */
import { errors, yup } from '@strapi/utils';

/**
 * Validates strictly (no coercion: `"5"` is not an integer) and collects every problem, so one
 * request tells the user everything that is wrong with it. An absent body or query is an empty one.
 */
export const validate = async <T>(schema: { validate(value: unknown, options: object): Promise<T> }, input: unknown): Promise<T> => {
  try {
    return await schema.validate(input ?? {}, { strict: true, abortEarly: false, stripUnknown: false });
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

/**
 * A request body or query as an object schema: anything but a JSON object is refused, and unknown
 * keys are refused by name (a misspelt option must not be silently ignored).
 */
export const requestObject = <Shape extends Record<string, yup.AnySchema>>(shape: Shape, what: 'body' | 'query' = 'body') => {
  const known = Object.keys(shape).join(', ');
  return yup
    .object(shape)
    .noUnknown(true, (params: object) => {
      const { unknown } = params as { unknown?: string };
      const many = String(unknown).includes(',');
      return what === 'query'
        ? `Unknown query ${many ? 'parameters' : 'parameter'}: ${unknown} (known: ${known})`
        : `Unknown ${many ? 'fields' : 'field'} in the request body: ${unknown} (known: ${known})`;
    })
    .typeError(`The request ${what} must be a JSON object.`);
};

/** For `.test()`: a string that is absent, or not blank. */
export const notBlank = (value: string | null | undefined) => value == null || value.trim() !== '';
