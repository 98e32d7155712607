import type { Request, RequestHandler, Response } from 'express';
import type { ClientContext } from '../auth/client';
import { signedSessionIds, withoutCookie } from '../auth/session/cookie-header';
import { sessionRef } from '../auth/session/session-id';
import { signedInRecord, type SessionLimits } from '../auth/session/record';
import { markNewSession, type HashedRedisStore } from '../auth/session/store';
import type { SessionCookie } from './session-cookie';

export interface SessionStartDeps {
  /** express-session itself, not yet run for this request. */
  expressSession: RequestHandler;
  store: HashedRedisStore;
  cookie: SessionCookie;
  secrets: readonly string[];
  limits: SessionLimits;
}

const OWNER = Symbol('cloakroom.sessionOwner');

/** The user a session about to be created is for (set by startSession for
 *  express-session's ID generator, so the new ID carries the user's routing tag). */
export function sessionOwnerOf(req: Request): string | undefined {
  return (req as Request & { [OWNER]?: string })[OWNER];
}

const run = (middleware: RequestHandler, req: Request, res: Response) =>
  new Promise<void>((resolve, reject) => void middleware(req, res, (err?: unknown) => (err ? reject(err) : resolve())));

/**
 * Starts a signed-in session for `user` in this response (sign-in, sign-up, password
 * change), in a straight line:
 *   1. every session the request's cookies name ends (a session ID the browser brought
 *      is never kept: no fixation, ASVS 7.2.4);
 *   2. express-session runs as if no session cookie had come, so it generates a fresh
 *      ID and reads nothing from Redis;
 *   3. the record (user, times, client, the credential version the sign-in verified) is
 *      written once, as a new record (SET NX). express-session then finds it saved and
 *      unchanged when the response ends, writes nothing more, and sets the cookie.
 * The route must not have run express-session before.
 */
export function sessionStarter(deps: SessionStartDeps) {
  const { expressSession, store, cookie, secrets, limits } = deps;

  return async function startSession(req: Request, res: Response, user: { id: string; credentialVersion: number }, client: ClientContext): Promise<void> {
    for (const sid of signedSessionIds(req.headers.cookie, cookie.name, secrets)) {
      const ref = sessionRef(sid);
      if (ref) await store.remove(ref);
    }
    if (req.headers.cookie !== undefined) req.headers.cookie = withoutCookie(req.headers.cookie, cookie.name);
    (req as Request & { [OWNER]?: string })[OWNER] = user.id;
    await run(expressSession, req, res);
    try {
      const now = Date.now();
      Object.assign(req.session, signedInRecord(user, client, now));
      // The cookie lasts as long as the session may: its absolute lifetime.
      req.session.cookie.expires = new Date(now + limits.absoluteTimeoutMs);
      markNewSession(req.session);
      await new Promise<void>((resolve, reject) => req.session.save((err: unknown) => (err ? reject(err) : resolve())));
    } catch (err) {
      // No record: no cookie either.
      delete (req as { session?: unknown }).session;
      throw err;
    }
    // express-session silently sets no Secure cookie on a request that is not secure:
    // the sign-in "works" and the next request is signed out. Say why, in this answer's log.
    if (cookie.options.secure && !req.secure) {
      req.log.warn(
        'signed in, but no session cookie was set: COOKIE_SECURE=true and this request came over plain HTTP (or through a proxy TRUST_PROXY does not name). Serve HTTPS with TRUST_PROXY set, or set COOKIE_SECURE=false for local HTTP',
      );
    }
  };
}

export type StartSession = ReturnType<typeof sessionStarter>;
