import { ERROR_STATUS, HEADERS, type ErrorBody, type ErrorCode, type ErrorDetail } from '@cloakroom/shared';
import type { Response } from 'express';

/** An error with a place in the contract: code, fixed status, words for a person. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const unauthenticated = () => new ApiError('unauthenticated', 'Sign in to continue');
export const serviceUnavailable = (what = 'A backing service') =>
  new ApiError('service_unavailable', `${what} is not answering; try again shortly`, undefined, { 'Retry-After': '1' });

export const forbidden = () => new ApiError('forbidden', 'You are not allowed to do this');
export const notFound = (what: string) => new ApiError('not_found', `${what} was not found`);

/** 429 with Retry-After in whole seconds (at least 1). One message for every limit and
 *  lock, so the answer says nothing about which one applied or whether the account exists. */
export const tooManyAttempts = (retryAfterMs: number) =>
  new ApiError('too_many_attempts', 'Too many attempts; wait a moment and try again', undefined, {
    [HEADERS.retryAfter]: String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });

export function sendError(res: Response, err: ApiError): void {
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  res.status(err.status).json(err.body());
}
