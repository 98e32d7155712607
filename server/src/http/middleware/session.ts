import type { NextFunction, Request, RequestHandler, Response } from 'express';
import expressSession from 'express-session';
import type { AuthContext, SessionAuthenticator } from '../../auth/session/authenticate';
import type { SessionReader } from '../../auth/session/read';
import { cookieValues, sessionIdFromHeader, withoutCookie } from '../../auth/session/cookie-header';
import { newSessionId, sessionRef, type SessionRef } from '../../auth/session/session-id';
import { deadlines, type PendingSignIn, type SessionLimits } from '../../auth/session/record';
import type { HashedRedisStore } from '../../auth/session/store';
import { unauthenticated } from '../errors';
import type { SessionCookie } from '../session-cookie';
import { sessionOwnerOf, sessionStarter } from '../session-start';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the auth middleware on routes that need a signed-in caller. */
    auth?: AuthContext;
    /** Set on the second-factor route: the pending sign-in the request carries. */
    pending?: PendingContext;
  }
}

/** A pending sign-in (password right, second factor to come) and its public handle. */
export interface PendingContext {
  handle: string;
  /** Where its record lives (the owner's slot). */
  ref: SessionRef;
  record: PendingSignIn;
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
 *  - `load`: express-session, which writes the activity of a signed-in session;
 *  - `requireAuth`: after `load`, refuses callers without a valid session, and records
 *    activity at most once per touch interval;
 *  - `readAuth`: the read-only path for GET routes: unsigns the cookie and reads the
 *    same Redis record directly, applying the very same checks, and hands over to
 *    `load` + `requireAuth` only when a touch is due;
 *  - `readAuthOnly`: the read-only path with no touch at all, for routes that end or
 *    replace the caller's session (a touch would be written to a record about to go);
 *  - `readPending`: for the second-factor route only: the pending sign-in the cookie
 *    names (read-only; the route replaces it), or 401;
 *  - `start`, `startPending`: start a new signed-in (or pending) session
 *    (http/session-start.ts), on routes that ran none of the above. */
export function sessionMiddleware(deps: SessionHttpDeps) {
  const { store, cookie, secrets, limits, authenticate, readSession } = deps;

  // unset stays 'keep': a route that ends its own session says so once, through the
  // store, and then drops req.session (session-end.ts); 'destroy' deleted it again.
  const session = expressSession({
    store,
    name: cookie.name,
    secret: [...secrets],
    resave: false,
    saveUninitialized: false,
    rolling: false,
    // Session IDs carry their owner's routing tag (session-id.ts); sign-in names the owner.
    genid: (req) => newSessionId(sessionOwnerOf(req)),
    cookie: { ...cookie.options, maxAge: limits.absoluteTimeoutMs },
  });

  /** A request carrying two session cookies counts as signed out (see cookie-header). */
  const load: RequestHandler = (req, res, next) => {
    if (cookieValues(req.headers.cookie, cookie.name).length > 1) req.headers.cookie = withoutCookie(req.headers.cookie!, cookie.name);
    session(req, res, next);
  };

  async function requireAuthAsync(req: Request): Promise<void> {
    const result = await authenticate(req.session, sessionRef(req.sessionID));
    if (!result.ok) throw unauthenticated();
    const { meta } = req.session;
    if (result.touchDue && meta) {
      // Modifying the session makes express-session save it (SET XX, fresh TTL).
      meta.lastSeenAt = Date.now();
      result.auth.deadlines = deadlines(meta, limits);
      // Keep the cookie's Max-Age at the remaining absolute lifetime, not a fresh one.
      req.session.cookie.expires = new Date(result.auth.deadlines.expiresAt);
    }
    req.auth = result.auth;
  }

  const requireAuth: RequestHandler = (req, _res, next) => {
    requireAuthAsync(req).then(() => next(), next);
  };

  async function readAuthAsync(req: Request, res: Response, next: NextFunction, touch: boolean): Promise<void> {
    const result = await readSession(req.headers.cookie);
    if (!result.ok) throw unauthenticated();
    if (touch && result.touchDue) return void load(req, res, (err?: unknown) => (err ? next(err) : requireAuth(req, res, next)));
    req.auth = result.auth;
    next();
  }

  const readAuth: RequestHandler = (req, res, next) => {
    readAuthAsync(req, res, next, true).catch(next);
  };

  const readAuthOnly: RequestHandler = (req, res, next) => {
    readAuthAsync(req, res, next, false).catch(next);
  };

  async function readPendingAsync(req: Request): Promise<void> {
    const sid = sessionIdFromHeader(req.headers.cookie, cookie.name, secrets);
    if (!sid) throw unauthenticated();
    const ref = sessionRef(sid);
    if (!ref) throw unauthenticated();
    const record = (await store.read(ref))?.pending;
    // The store's TTL ends it too; the time is checked here whatever Redis says.
    if (!record || !(record.expiresAt > Date.now())) throw unauthenticated();
    req.pending = { handle: ref.handle, ref, record };
  }

  const readPending: RequestHandler = (req, _res, next) => {
    readPendingAsync(req).then(() => next(), next);
  };

  const starter = sessionStarter({ expressSession: session, store, cookie, secrets, limits });

  return { load, requireAuth, readAuth, readAuthOnly, readPending, start: starter.signedIn, startPending: starter.pending, store };
}

export type SessionHttp = ReturnType<typeof sessionMiddleware>;
