import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { requestBodyLimitText } from '@cloakroom/shared';
import { LimiterFullError } from '../../auth/passwords/limiter';
import { isDatabaseUnavailable } from '../../db/errors';
import { isRedisUnavailable } from '../../redis/errors';
import { ApiError, sendError, serviceUnavailable } from '../errors';

/** body-parser's error types, mapped onto the contract. */
const BODY_ERRORS: Record<string, () => ApiError> = {
  'entity.parse.failed': () =>
    new ApiError('validation_failed', 'The request body is not valid JSON', [{ path: '', code: 'invalid_json', message: 'Malformed JSON' }]),
  'entity.too.large': () => new ApiError('payload_too_large', `The request body is larger than ${requestBodyLimitText}`),
  'encoding.unsupported': () => new ApiError('unsupported_media_type', 'Unsupported content encoding'),
  'charset.unsupported': () => new ApiError('unsupported_media_type', 'Send JSON as UTF-8'),
  'request.aborted': () => new ApiError('validation_failed', 'The request body was cut short'),
  'request.size.invalid': () => new ApiError('validation_failed', 'The request body does not match its Content-Length'),
  'entity.verify.failed': () => new ApiError('validation_failed', 'The request body was rejected'),
  'stream.encoding.set': () => new ApiError('internal_error', 'Internal error'),
};

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && BODY_ERRORS[type]) return BODY_ERRORS[type]();
  if (err instanceof LimiterFullError) return serviceUnavailable('The sign-in service is busy; it');
  if (isRedisUnavailable(err)) return serviceUnavailable('The session store');
  if (isDatabaseUnavailable(err)) return serviceUnavailable('The user database');
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(
      status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'validation_failed',
      'The request could not be read',
    );
  }
  return new ApiError('internal_error', 'Something went wrong on our side');
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const apiError = toApiError(err);
    if (apiError.code === 'internal_error') req.log?.error({ err }, 'unhandled error');
    else if (apiError.code === 'service_unavailable') (req.log ?? logger).warn({ reason: (err as Error)?.message }, 'dependency unavailable');
    // Headers already gone (a failure while streaming): let Express close the socket.
    if (res.headersSent) return next(err);
    sendError(res, apiError);
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError('not_found', `No route for ${req.method} ${req.path}`));
};
