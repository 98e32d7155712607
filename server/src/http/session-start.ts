import type { Request, RequestHandler, Response } from 'express';
import type { ClientContext } from '../auth/client';
import { signedSessionIds, withoutCookie } from '../auth/session/cookie-header';
import type { AuthMethod } from '@cloakroom/shared';
import { signedInRecord, type PendingSignIn, type SessionLimits } from '../auth/session/record';
import { sessionRef } from '../auth/session/session-id';
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

  /** Replaces the request's sessions with a new one of `ownerId` holding `record`, which
   *  the store keeps until `expiresAt`. */
  async function begin(req: Request, res: Response, ownerId: string, record: object, expiresAt: number): Promise<void> {
    for (const sid of signedSessionIds(req.headers.cookie, cookie.name, secrets)) {
      const ref = sessionRef(sid);
      if (ref) await store.remove(ref);
    }
    if (req.headers.cookie !== undefined) req.headers.cookie = withoutCookie(req.headers.cookie, cookie.name);
    (req as Request & { [OWNER]?: string })[OWNER] = ownerId;
    await run(expressSession, req, res);
    try {
      Object.assign(req.session, record);
      req.session.cookie.expires = new Date(expiresAt);
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
  }

  return {
    /** A signed-in session, proved by `authMethods` (and begun by `signInMethods`, the same
     *  unless it carries on an earlier session). The cookie lasts as long as the session
     *  may: its absolute lifetime. */
    signedIn: async (
      req: Request,
      res: Response,
      user: { id: string; credentialVersion: number },
      client: ClientContext,
      authMethods?: AuthMethod[],
      signInMethods?: AuthMethod[],
    ): Promise<void> => {
      const now = Date.now();
      await begin(req, res, user.id, signedInRecord(user, client, now, authMethods, signInMethods), now + limits.absoluteTimeoutMs);
    },
    /** A pending sign-in (password right, second factor to come): a new session ID that
     *  is not signed in, for `pending.expiresAt`. */
    pending: async (req: Request, res: Response, pending: PendingSignIn): Promise<void> => {
      await begin(req, res, pending.userId, { pending }, pending.expiresAt);
    },
  };
}

export type SessionStarter = ReturnType<typeof sessionStarter>;
export type StartSession = SessionStarter['signedIn'];
