import type { UserRecords } from '../user-records';
import type { AuthResult, SessionAuthenticator } from './authenticate';
import { sessionIdFromHeader } from './cookie-header';
import { sessionRef } from './session-id';
import type { HashedRedisStore } from './store';

/** Owners remembered per process; past this many the memory starts afresh. */
const MAX_OWNERS = 100_000;

/** The read-only path: the session named by a request's Cookie header, read straight
 *  from its hashed Redis record and put through the very same checks as the
 *  express-session path (`authenticate`). No valid signed cookie: anonymous, no Redis.
 *
 *  The user's record (auth/user-records.ts) is read in the same round trip as the
 *  session: a session's owner never changes, so once a session has been seen the
 *  process remembers whose it is, and sends the session's GET and the record's HMGET in
 *  one write. What decides is still what Redis holds now: the record is used only if
 *  the session read with it names that same owner, and a session that fails its checks
 *  is forgotten. */
export function sessionReader(
  authenticate: SessionAuthenticator,
  store: HashedRedisStore,
  records: UserRecords,
  cookieName: string,
  secrets: readonly string[],
) {
  const owners = new Map<string, string>();

  return async function readSession(cookieHeader: string | undefined): Promise<AuthResult> {
    const sid = sessionIdFromHeader(cookieHeader, cookieName, secrets);
    const ref = sid ? sessionRef(sid) : null;
    if (!ref) return { ok: false, reason: 'anonymous' };
    const { handle } = ref;
    const owner = owners.get(handle);
    const [stored, read] = await Promise.all([store.read(ref), owner === undefined ? undefined : records.peek(owner)]);
    const result = await authenticate(stored, ref, Date.now(), owner !== undefined && read ? { userId: owner, read } : undefined);
    if (!result.ok) owners.delete(handle);
    else if (owner === undefined) {
      if (owners.size >= MAX_OWNERS) owners.clear();
      owners.set(handle, result.auth.user.id);
    }
    return result;
  };
}

export type SessionReader = ReturnType<typeof sessionReader>;
