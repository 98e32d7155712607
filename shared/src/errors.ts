import { z } from 'zod';

/** Every error the API answers with. The HTTP status of each is fixed here so that
 *  client, server and tests agree on one table. */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_token: 400,
  invalid_credentials: 401,
  unauthenticated: 401,
  forbidden: 403,
  csrf_rejected: 403,
  email_unverified: 403,
  not_found: 404,
  method_not_allowed: 405,
  email_taken: 409,
  last_admin: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_attempts: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const errorDetailSchema = z
  .object({
    path: z.string().meta({ description: 'The field it is about, dot-separated (`""` for the whole body).' }),
    code: z.string(),
    message: z.string().meta({ description: 'Words for a person.' }),
  })
  .meta({ id: 'ErrorDetail' });
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.array(errorDetailSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
