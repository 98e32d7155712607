import type { RequestHandler } from 'express';
import { HEADERS } from '@cloakroom/shared';
import { ApiError } from '../errors';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** CSRF without tokens (OWASP's "verifying origin with standard headers" plus Fetch
 *  Metadata). Browsers send Origin with every POST, PUT, PATCH and DELETE, so a
 *  state-changing request from a page on a site outside the allowlist is refused
 *  before anything reads or changes state; an absent Origin with Sec-Fetch-Site saying
 *  another site sent it is refused too. Requests with neither header come from
 *  non-browser clients, which carry no ambient cookies an attacker could ride on.
 *  Together with SameSite cookies and JSON-only bodies (json-only.ts, 415), which a
 *  cross-site page cannot send without a CORS preflight.
 *  A refusal says what is wrong: the answer names the origin refused, and the log also
 *  the allowed ones (APP_ORIGIN, CORS_ORIGINS), so a misconfigured deployment shows. */
export function csrfOriginCheck(allowedOrigins: Iterable<string>): RequestHandler {
  const allowed = new Set(allowedOrigins);
  const fetchSite = HEADERS.secFetchSite.toLowerCase();
  return (req, _res, next) => {
    if (!STATE_CHANGING.has(req.method)) return next();
    const origin = req.headers.origin;
    const site = req.headers[fetchSite];
    if (origin !== undefined ? allowed.has(origin) : site !== 'cross-site' && site !== 'same-site') return next();
    req.log.warn({ origin: origin ?? null, secFetchSite: site ?? null, allowed: [...allowed], method: req.method, path: req.path }, 'csrf_rejected');
    next(
      new ApiError(
        'csrf_rejected',
        origin !== undefined
          ? `Requests that change state are not accepted from ${origin}: this API accepts them only from its own app's origin (APP_ORIGIN) and CORS_ORIGINS`
          : `Requests that change state are not accepted from another site (Sec-Fetch-Site: ${String(site)})`,
      ),
    );
  };
}
