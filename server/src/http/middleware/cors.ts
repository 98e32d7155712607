import cors from 'cors';
import type { RequestHandler } from 'express';
import { HEADERS } from '@cloakroom/shared';
import { ApiError } from '../errors';

/** CORS for mobile-web clients on other origins: an exact-match allowlist with
 *  credentials. Never a reflected origin, never `*`; `null`, look-alike suffixes, other
 *  schemes and ports simply do not match and get no allow headers. Every response
 *  varies by Origin, allowed or not, so no cache can hand one origin's answer to another.
 *  Retry-After and the request id are exposed so a cross-origin client can read them.
 *  A preflight from an origin not on the list is refused here (403 in the contract's
 *  shape, logged with the origin and the allowed ones), not left to fall through to the
 *  routes, which have no OPTIONS and would answer 405. */
export function corsPolicy(origins: readonly string[]): RequestHandler[] {
  const allowed = new Set(origins);
  const varyByOrigin: RequestHandler = (_req, res, next) => {
    res.vary('Origin');
    next();
  };
  const refuseForeignPreflight: RequestHandler = (req, _res, next) => {
    const origin = req.headers.origin;
    if (req.method !== 'OPTIONS' || origin === undefined || allowed.has(origin) || req.headers['access-control-request-method'] === undefined) return next();
    req.log.warn({ origin, allowed: [...allowed], path: req.path }, 'cors preflight refused: origin not in CORS_ORIGINS');
    next(new ApiError('csrf_rejected', `Cross-origin requests from ${origin} are not allowed: the origin is not in this API's CORS_ORIGINS`));
  };
  return [
    varyByOrigin,
    refuseForeignPreflight,
    cors({
      origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
      credentials: true,
      maxAge: 600,
      exposedHeaders: [HEADERS.retryAfter, HEADERS.requestId],
    }),
  ];
}
