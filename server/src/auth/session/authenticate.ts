import type { RecordRead, UserRecords } from '../user-records';
import type { UserState } from '../user-state';
import { checkSession, credentialStillValid, deadlines, type SessionDeadlines, type SessionLimits, type SessionMeta, type StoredSession } from './record';
import type { SessionRef } from './session-id';
import type { HashedRedisStore } from './store';

/** Who is calling, established from a valid session. */
export interface AuthContext {
  /** The user's auth state as the database has it now (through their Redis record). */
  user: UserState;
  /** The session's public handle (never its ID). */
  handle: string;
  meta: SessionMeta;
  deadlines: SessionDeadlines;
}

export type AuthResult =
  | { ok: true; auth: AuthContext; touchDue: boolean }
  | { ok: false; reason: 'anonymous' | 'malformed' | 'idle_timeout' | 'absolute_timeout' | 'user_gone' | 'credential_changed' };

/** Every check a session must pass, in one function shared by the read-only path and
 *  the express-session path so the two cannot drift: the time limits, then the user as
 *  the database has it now (existence, role, credential: from the user's Redis record,
 *  which every change of these goes through, so it is never stale; from SQL when the
 *  record is missing: auth/user-records.ts), then the credential binding: a session
 *  made from a credential the user no longer has (the password changed since the
 *  sign-in verified it) is dead, even if it was written after the change swept the
 *  user's sessions. */
export function sessionAuthenticator(records: UserRecords, store: HashedRedisStore, limits: SessionLimits) {
  /** `record`: the user's record as the caller read it beside the session, if it did. */
  return async function authenticate(
    stored: StoredSession | null,
    ref: SessionRef | null,
    now = Date.now(),
    record?: { userId: string; read: RecordRead },
  ): Promise<AuthResult> {
    if (!ref) return { ok: false, reason: 'anonymous' };
    const verdict = checkSession(stored, now, limits);
    if (!verdict.valid) return { ok: false, reason: verdict.reason };
    const user = await records.get(verdict.userId, record?.userId === verdict.userId ? record.read : undefined);
    const failure = !user ? 'user_gone' : !credentialStillValid(verdict.meta, user) ? 'credential_changed' : null;
    if (failure || !user) {
      // The record outlived its right to exist: remove it (and its index entry) now.
      await store.remove(ref);
      return { ok: false, reason: failure ?? 'user_gone' };
    }
    return { ok: true, auth: { user, handle: ref.handle, meta: verdict.meta, deadlines: deadlines(verdict.meta, limits) }, touchDue: verdict.touchDue };
  };
}

export type SessionAuthenticator = ReturnType<typeof sessionAuthenticator>;
