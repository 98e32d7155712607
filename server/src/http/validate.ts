import type { z } from 'zod';
import { ApiError } from './errors';

/** Parses input with a shared schema, or fails with 400 validation_failed listing every
 *  problem by field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.join('.'),
    code: issue.code,
    message: issue.path.length === 0 && input === undefined ? `The ${what} is missing` : issue.message,
  }));
  throw new ApiError('validation_failed', `The ${what} is invalid`, details);
}
