import cors from 'cors';
import type { RequestHandler } from 'express';
import { HEADERS } from '@cloakroom/shared';

/** CORS for mobile-web clients on other origins: an exact-match allowlist with
 *  credentials. Never a reflected origin, never `*`; `null`, look-alike suffixes, other
 *  schemes and ports simply do not match and get no allow headers. Every response
 *  varies by Origin, allowed or not, so no cache can hand one origin's answer to another.
 *  Retry-After and the request id are exposed so a cross-origin client can read them. */
export function corsPolicy(origins: readonly string[]): RequestHandler[] {
  const allowed = new Set(origins);
  const varyByOrigin: RequestHandler = (_req, res, next) => {
    res.vary('Origin');
    next();
  };
  return [
    varyByOrigin,
    cors({
      origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
      credentials: true,
      maxAge: 600,
      exposedHeaders: [HEADERS.retryAfter, HEADERS.requestId],
    }),
  ];
}
