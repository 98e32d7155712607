import type { NextFunction, Request, RequestHandler, Response } from 'express';
import expressSession from 'express-session';
import type { AuthContext, SessionAuthenticator } from '../../auth/session/authenticate';
import type { SessionReader } from '../../auth/session/read';
import { cookieValues, withoutCookie } from '../../auth/session/cookie-header';
import type { SessionCookie } from '../../auth/session/cookie';
import { sessionHandle } from '../../auth/session/handle';
import { deadlines, type SessionLimits, type StoredSession } from '../../auth/session/record';
import type { HashedRedisStore } from '../../auth/session/store';
import { unauthenticated } from '../errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the auth middleware on routes that need a signed-in caller. */
    auth?: AuthContext;
  }
}

export interface SessionHttpDeps {
  store: HashedRedisStore;
  cookie: SessionCookie;
  secrets: readonly string[];
  limits: SessionLimits;
  authenticate: SessionAuthenticator;
  readSession: SessionReader;
}

/** The session middlewares of the HTTP layer:
 *  - `load`: express-session, which owns every write (login, logout, regenerate, touch);
 *  - `requireAuth`: after `load`, refuses callers without a valid session, and records
 *    activity at most once per touch interval;
 *  - `readAuth`: the read-only path for GET routes: unsigns the cookie and reads the
 *    same Redis record directly, applying the very same checks, and hands over to
 *    `load` + `requireAuth` only when a touch is due. */
export function sessionMiddleware(deps: SessionHttpDeps) {
  const { store, cookie, secrets, limits, authenticate, readSession } = deps;

  const session = expressSession({
    store,
    name: cookie.name,
    secret: [...secrets],
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    cookie: { ...cookie.options, maxAge: limits.absoluteTimeoutMs },
  });

  /** A request carrying two session cookies counts as signed out (see cookie-header). */
  const load: RequestHandler = (req, res, next) => {
    if (cookieValues(req.headers.cookie, cookie.name).length > 1) req.headers.cookie = withoutCookie(req.headers.cookie!, cookie.name);
    session(req, res, next);
  };

  async function requireAuthAsync(req: Request): Promise<void> {
    const stored = req.session as unknown as StoredSession;
    const result = await authenticate(stored, sessionHandle(req.sessionID));
    if (!result.ok) throw unauthenticated();
    if (result.touchDue) {
      // Modifying the session makes express-session save it (SET XX, fresh TTL).
      stored.meta!.lastSeenAt = Date.now();
      result.auth.deadlines = deadlines(stored.meta!, limits);
      // Keep the cookie's Max-Age at the remaining absolute lifetime, not a fresh one.
      req.session.cookie.expires = new Date(result.auth.deadlines.expiresAt);
    }
    req.auth = result.auth;
  }

  const requireAuth: RequestHandler = (req, _res, next) => {
    requireAuthAsync(req).then(() => next(), next);
  };

  async function readAuthAsync(req: Request, res: Response, next: NextFunction): Promise<void> {
    const result = await readSession(req.headers.cookie);
    if (!result.ok) throw unauthenticated();
    if (result.touchDue) return void load(req, res, (err?: unknown) => (err ? next(err) : requireAuth(req, res, next)));
    req.auth = result.auth;
    next();
  }

  const readAuth: RequestHandler = (req, res, next) => {
    readAuthAsync(req, res, next).catch(next);
  };

  return { load, requireAuth, readAuth, store };
}

export type SessionHttp = ReturnType<typeof sessionMiddleware>;
