import type { RequestHandler } from 'express';
import { HEADERS } from '@cloakroom/shared';
import { ApiError } from '../errors';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const rejected = () => new ApiError('csrf_rejected', 'This request comes from a site that is not allowed to make it');

/** CSRF without tokens (OWASP's "verifying origin with standard headers" plus Fetch
 *  Metadata). Browsers send Origin with every POST, PUT, PATCH and DELETE, so a
 *  state-changing request from a page on a site outside the allowlist is refused
 *  before anything reads or changes state; an absent Origin with Sec-Fetch-Site saying
 *  another site sent it is refused too. Requests with neither header come from
 *  non-browser clients, which carry no ambient cookies an attacker could ride on.
 *  Together with SameSite cookies and JSON-only bodies (json-only.ts, 415), which a
 *  cross-site page cannot send without a CORS preflight. */
export function csrfOriginCheck(allowedOrigins: Iterable<string>): RequestHandler {
  const allowed = new Set(allowedOrigins);
  const fetchSite = HEADERS.secFetchSite.toLowerCase();
  return (req, _res, next) => {
    if (!STATE_CHANGING.has(req.method)) return next();
    const origin = req.headers.origin;
    if (origin !== undefined) return next(allowed.has(origin) ? undefined : rejected());
    const site = req.headers[fetchSite];
    next(site === 'cross-site' || site === 'same-site' ? rejected() : undefined);
  };
}
