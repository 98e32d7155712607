import { ERROR_STATUS, type ErrorCode } from '@cloakroom/shared';

/** What each error code means for a client, for the API reference. */
export const ERROR_MEANINGS: Record<ErrorCode, string> = {
  validation_failed: 'The body, query or path is invalid, or the body is not readable JSON; `details` name each field and problem.',
  invalid_token: 'The link is invalid or has expired (used, voided by a newer one, unknown or altered): ask for a new one.',
  email_unverified: 'The password is right, but the account must confirm its email address first; a fresh link has been mailed.',
  invalid_credentials: 'The email and password (or the current password) do not match an account.',
  unauthenticated: 'No valid session: sign in first (the session ended, was revoked, or never was).',
  forbidden: "The caller's role does not allow this.",
  csrf_rejected: 'The request came from a site that is not allowed to make it (Origin or Sec-Fetch-Site).',
  not_found: 'Nothing here by that id (or it is not yours), or no route at this path.',
  method_not_allowed: 'The path exists, but not with this method; Allow lists those it has.',
  email_taken: 'An account with this email already exists.',
  last_admin: 'The last admin cannot stop being one.',
  payload_too_large: 'The request body is larger than 100 kB.',
  unsupported_media_type: 'The body is not application/json (in UTF-8, without content encoding).',
  too_many_attempts: 'Too many attempts; Retry-After says when to try again. The same answer for every limit and lock.',
  internal_error: 'A bug on our side. Never expected; the request id in X-Request-Id finds it in the log.',
  service_unavailable: 'Redis or the database is not answering, or sign-in is saturated; try again after Retry-After.',
};

/** Codes grouped by their fixed status, statuses ascending. */
export function byStatus(codes: readonly ErrorCode[]): Array<[number, ErrorCode[]]> {
  const groups = new Map<number, ErrorCode[]>();
  for (const code of codes) groups.set(ERROR_STATUS[code], [...(groups.get(ERROR_STATUS[code]) ?? []), code]);
  return [...groups].sort(([a], [b]) => a - b);
}
