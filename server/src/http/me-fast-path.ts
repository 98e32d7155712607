import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { API_ROUTES, HEADERS } from '@cloakroom/shared';
import type { Config } from '../config/env';
import { logRequest, requestIdOf } from '../logging/logger';
import type { Services } from '../services';
import { staticSecurityHeaders } from './middleware/security-headers';
import { meBody } from './routes/me';

/** What the Express chain adds to an answer of GET /api/me besides helmet's headers:
 *  app.ts's noStore (Cache-Control, Vary: Cookie) and cors.ts's Vary: Origin (no CORS
 *  headers: requests with an Origin never take the fast path). me-fast-path.test.ts
 *  compares both paths' answers header by header, so a header added to the chain
 *  and missing here fails the suite. */
const API_HEADERS: Array<[string, string]> = [
  ['Vary', 'Origin, Cookie'],
  ['Cache-Control', 'no-store'],
  ['Content-Type', 'application/json; charset=utf-8'],
];

export interface FastPathStats {
  /** Answered by the fast path. */
  served: number;
  /** Handed to Express (anything but a plain, valid, untouched GET /api/me). */
  passed: number;
}

export type ApiHandler = RequestListener & { stats: FastPathStats };

const ME = API_ROUTES.me.path;

/**
 * GET /api/me in front of Express. Every gated page view of the client costs one, and
 * Express's own per-request work (request/response decoration, the router, a dozen
 * middleware calls, res.json) cost more than everything the route itself does: a CPU
 * profile put the bare framework at about half the time of the whole request
 * (docs/performance.md).
 *
 * For the plain case only, a GET of exactly /api/me with one validly signed session
 * cookie, no Origin (so no CORS decision), a session that passes every check and needs
 * no touch, this answers directly: the same checks (sessionAuthenticator: signature,
 * hashed key, idle and absolute limits, the user as the database has it now through
 * their Redis record, password change), the same body (meBody), the same headers
 * (helmet's, computed from helmet itself, and the chain's), the same log line. Nothing
 * is cached in the process: Redis is read on every request, and every change of the
 * user goes through their record (auth/user-records.ts), so a revocation, a role change
 * or an expiry shows on the very next one. Everything else, including every failure, a touch that
 * is due (express-session owns every write) and any error, goes to Express untouched.
 */
export function withMeFastPath(app: RequestListener, deps: { services: Services; config: Config; logger: Logger }): ApiHandler {
  const { services, config, logger } = deps;
  const fixed = [...staticSecurityHeaders(config), ...API_HEADERS].flat();
  const stats: FastPathStats = { served: 0, passed: 0 };

  const pass = (req: IncomingMessage, res: ServerResponse) => {
    stats.passed++;
    app(req, res);
  };

  /** Answers and returns true, or returns false having written nothing. */
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const started = performance.now();
    const result = await services.readSession(req.headers.cookie);
    if (!result.ok || result.touchDue) return false;
    const body = JSON.stringify(meBody(result.auth));
    const id = requestIdOf(req);
    stats.served++;
    res.writeHead(200, [HEADERS.requestId, id, ...fixed, 'Content-Length', String(Buffer.byteLength(body))]);
    res.end(body);
    logRequest(logger, id, 'GET', ME, 200, started);
    return true;
  }

  const handler: RequestListener = (req, res) => {
    if (req.method !== 'GET' || req.url !== ME || req.headers.origin !== undefined) return pass(req, res);
    serve(req, res).then(
      (answered) => answered || pass(req, res),
      // Redis or the database failed: Express tries again and answers in the contract
      // (503 service_unavailable) if it fails too. Never after headers went out.
      () => res.headersSent || pass(req, res),
    );
  };
  return Object.assign(handler, { stats });
}
