import type { UserRow, UsersRepository } from '../../db/users';
import { checkSession, deadlines, type SessionDeadlines, type SessionLimits, type SessionMeta, type StoredSession } from './record';
import type { HashedRedisStore } from './store';

/** Who is calling, established from a valid session. */
export interface AuthContext {
  user: UserRow;
  /** The session's public handle (never its ID). */
  handle: string;
  meta: SessionMeta;
  deadlines: SessionDeadlines;
}

export type AuthResult =
  | { ok: true; auth: AuthContext; touchDue: boolean }
  | { ok: false; reason: 'anonymous' | 'malformed' | 'idle_timeout' | 'absolute_timeout' | 'user_gone' | 'password_changed' };

/** Every check a session must pass, in one function shared by the read-only path and
 *  the express-session path so the two cannot drift: the time limits, then the user as
 *  the database has it now (role and existence read fresh on every request, never
 *  cached), then the password-change rule: a session that began before the password
 *  last changed is dead even if something left its record behind. */
export function sessionAuthenticator(users: UsersRepository, store: HashedRedisStore, limits: SessionLimits) {
  return async function authenticate(stored: StoredSession | null, handle: string, now = Date.now()): Promise<AuthResult> {
    const verdict = checkSession(stored, now, limits);
    if (!verdict.valid) return { ok: false, reason: verdict.reason };
    const user = await users.findById(verdict.userId);
    const failure = !user ? 'user_gone' : user.passwordChangedAt > verdict.meta.createdAt ? 'password_changed' : null;
    if (failure || !user) {
      // The record outlived its right to exist: remove it (and its index entry) now.
      await store.remove(handle);
      return { ok: false, reason: failure ?? 'user_gone' };
    }
    return { ok: true, auth: { user, handle, meta: verdict.meta, deadlines: deadlines(verdict.meta, limits) }, touchDue: verdict.touchDue };
  };
}

export type SessionAuthenticator = ReturnType<typeof sessionAuthenticator>;
