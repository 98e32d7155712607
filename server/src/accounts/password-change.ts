import type { PasswordHasher } from '../auth/passwords/hasher';
import { passwordProblems, type PasswordProblem } from '../auth/passwords/policy';
import type { ClientContext } from '../auth/client-context';
import type { UserSessions } from '../auth/session/user-sessions';
import type { UserRow, UsersRepository } from '../db/users';
import type { SecurityEvents } from '../events/security-events';

export type PasswordChangeResult =
  | { ok: true; user: UserRow; revoked: number }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'weak_password'; problems: PasswordProblem[] };

/** Changing a password: re-authentication with the current one (ASVS 6.2.3, 7.5.1), the
 *  registration policy for the new one, then the new hash with `passwordChangedAt`
 *  moved forward (so any session that began earlier is dead wherever it is checked)
 *  and every session but `keep` deleted from Redis. The caller then gives the current
 *  session a new ID. Nothing is written unless both passwords pass. */
export function passwordChange(users: UsersRepository, hasher: PasswordHasher, sessions: UserSessions, events: SecurityEvents) {
  return async function change(
    user: UserRow,
    input: { currentPassword: string; newPassword: string },
    keep: string,
    client: ClientContext,
  ): Promise<PasswordChangeResult> {
    if (!(await hasher.verify(user.passwordHash, input.currentPassword))) return { ok: false, reason: 'invalid_credentials' };
    const problems = passwordProblems(input.newPassword, { email: user.email });
    if (problems.length) return { ok: false, reason: 'weak_password', problems };

    const now = Date.now();
    await users.changePassword(user.id, await hasher.hash(input.newPassword), now);
    const revoked = await sessions.revokeAll(user.id, keep);
    await events.record(user.id, 'password_changed', client, { otherSessionsEnded: revoked });
    const updated = await users.findById(user.id);
    return { ok: true, user: updated ?? { ...user, passwordChangedAt: now, updatedAt: now }, revoked };
  };
}

export type PasswordChange = ReturnType<typeof passwordChange>;
