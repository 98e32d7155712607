import type { AuthResult, SessionAuthenticator } from './authenticate';
import { sessionIdFromHeader } from './cookie-header';
import { sessionRef } from './session-id';
import type { HashedRedisStore } from './store';

/** The read-only path: the session named by a request's Cookie header, read straight
 *  from its hashed Redis record and put through the very same checks as the
 *  express-session path (`authenticate`). No valid signed cookie: anonymous, no Redis. */
export function sessionReader(authenticate: SessionAuthenticator, store: HashedRedisStore, cookieName: string, secrets: readonly string[]) {
  return async function readSession(cookieHeader: string | undefined): Promise<AuthResult> {
    const sid = sessionIdFromHeader(cookieHeader, cookieName, secrets);
    const ref = sid ? sessionRef(sid) : null;
    if (!ref) return { ok: false, reason: 'anonymous' };
    return authenticate(await store.read(ref), ref);
  };
}

export type SessionReader = ReturnType<typeof sessionReader>;
