import type { AuthResult, SessionAuthenticator } from './authenticate';
import { sessionIdFromHeader } from './cookie-header';
import { sessionHandle } from './handle';
import type { HashedRedisStore } from './store';

/** The read-only path: the session named by a request's Cookie header, read straight
 *  from its hashed Redis record and put through the very same checks as the
 *  express-session path (`authenticate`). No valid signed cookie: anonymous, no Redis. */
export function sessionReader(authenticate: SessionAuthenticator, store: HashedRedisStore, cookieName: string, secrets: readonly string[]) {
  return async function readSession(cookieHeader: string | undefined): Promise<AuthResult> {
    const sid = sessionIdFromHeader(cookieHeader, cookieName, secrets);
    if (!sid) return { ok: false, reason: 'anonymous' };
    const handle = sessionHandle(sid);
    return authenticate(await store.read(handle), handle);
  };
}

export type SessionReader = ReturnType<typeof sessionReader>;
