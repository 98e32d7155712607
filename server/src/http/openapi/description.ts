import { ERROR_STATUS, HEADERS, SESSION_COOKIE_PLAIN, SESSION_COOKIE_SECURE } from '@cloakroom/shared';
import { ERROR_MEANINGS } from './errors';

const errorTable = Object.entries(ERROR_STATUS)
  .map(([code, status]) => `| ${status} | \`${code}\` | ${ERROR_MEANINGS[code as keyof typeof ERROR_STATUS]} |`)
  .join('\n');

/** The rules every route follows, for the top of the API reference (Markdown). */
export const API_DESCRIPTION = `Session-based authentication: the API owns the sessions (in Redis), clients hold an opaque session cookie.

## Sessions
Signing in (\`POST /api/auth/login\`, or \`POST /api/auth/register\`) answers with an HttpOnly session cookie:
\`${SESSION_COOKIE_SECURE}\` when the API is served over HTTPS (Secure, no Domain, Path=/), \`${SESSION_COOKIE_PLAIN}\` over plain HTTP
in development. Browsers send it back by themselves (a client on another origin uses \`credentials: 'include'\`);
other clients keep it and send it as \`Cookie\`. A session ends after \`SESSION_IDLE_TIMEOUT\` unused (default 24 h),
\`SESSION_ABSOLUTE_TIMEOUT\` after sign-in (default 7 days), on sign-out, on revocation, and when the password changes.
Session ids in answers are public handles, never the cookie's value.

## Errors
Every error has one shape, \`{"error":{"code":"…","message":"…","details":[…]}}\` (details only where fields are
concerned), as JSON, and each code has one fixed status:

| status | code | meaning |
|---|---|---|
${errorTable}

Each operation below lists the codes it can answer with.

## CSRF
POST, PUT, PATCH and DELETE carry a JSON body (\`Content-Type: application/json\`) or none: anything else is refused
with 415 before it is read. If the request has an \`Origin\`, it must be the app's origin (\`APP_ORIGIN\`) or one of
\`CORS_ORIGINS\`; without one, \`${HEADERS.secFetchSite}: cross-site\` or \`same-site\` is refused. Either refusal is
403 \`csrf_rejected\`, before anything is read or changed. Clients that send neither header (not browsers) are not
affected. Cookies are SameSite=Lax by default. There is no CSRF token to fetch.

## CORS
Only the exact origins in \`CORS_ORIGINS\` get \`Access-Control-Allow-Origin\` (with credentials); never a wildcard and
never a reflected origin. A preflight (\`OPTIONS\`) from an allowed origin answers 204 on any path; a preflight
from any other origin answers 403 \`csrf_rejected\` (the same refusal its request would get); other \`OPTIONS\`
requests are answered like any other method a path does not have. \`${HEADERS.retryAfter}\` and
\`${HEADERS.requestId}\` are exposed to scripts. Every answer varies by Origin.

## Rate limits and outages
Over a limit, an answer is 429 \`too_many_attempts\` with \`${HEADERS.retryAfter}\` in seconds: sign-in per client address
and per account (only wrong passwords count), a lock on an account after repeated failures, sign-up per address, and
wrong current passwords per user. Limits are counted in Redis, across every instance.
When Redis or the database does not answer, or password hashing is saturated, the answer is 503
\`service_unavailable\` with \`${HEADERS.retryAfter}\`, quickly (no request hangs on an outage).

## On every route
- A method the path does not have: 405 \`method_not_allowed\` with \`Allow\` (HEAD works wherever GET does).
- A path that is not here: 404 \`not_found\`.
- A body over 100 kB: 413 \`payload_too_large\`; a body that is not readable JSON: 400 \`validation_failed\`.
- Every answer has \`Cache-Control: no-store\` and \`${HEADERS.requestId}\` (yours, if well-formed, else a new one).
- 500 \`internal_error\` is never expected: it is a bug, to be reported with the request id.
`;
