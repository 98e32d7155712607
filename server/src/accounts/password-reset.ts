import type { Logger } from 'pino';
import type { SignInClient } from '../auth/client';
import { hashingFor, type PasswordHasher } from '../auth/passwords/hasher';
import { passwordProblems, type PasswordProblem } from '../auth/passwords/policy';
import type { UserSessions } from '../auth/session/user-sessions';
import type { UserRecords } from '../auth/user-records';
import type { UsersRepository } from '../db/users';
import type { SecurityEvents } from '../events/security-events';
import type { MailTokens } from '../tokens/mail-tokens';
import type { AccountMailer } from './mailer';

export type ResetResult =
  { ok: true; revoked: number } | { ok: false; reason: 'invalid_token' } | { ok: false; reason: 'weak_password'; problems: PasswordProblem[] };

/** A credential change the reset makes without knowing the old password retries this
 *  often when a concurrent change bumps the version between its read and its write. */
const VERSION_RETRIES = 3;

/**
 * Password reset (ASVS 6.4.1, 6.4.2, 6.4.3):
 * - `request`: for a known address, a new reset token (older ones void) mailed as a
 *   link; for an unknown one, nothing. The HTTP layer answers before calling it, so the
 *   caller learns nothing either way.
 * - `reset`: the token must be live and still for the account's current address; the
 *   new password must pass the policy (a weak one spends no token); then the token is
 *   spent (exactly once, whoever races), the password set with a new credential version
 *   (every session bound to the old one is dead on every instance, including one a racing
 *   sign-in writes later), every session deleted, every other reset link voided, the
 *   event recorded and a notice mailed. Nobody is signed in.
 */
export function passwordReset(deps: {
  users: UsersRepository;
  records: UserRecords;
  hasher: PasswordHasher;
  sessions: UserSessions;
  events: SecurityEvents;
  tokens: MailTokens;
  mailer: AccountMailer;
  logger: Logger;
}) {
  const { users, records, hasher, sessions, events, tokens, mailer, logger } = deps;

  async function request(email: string, client: SignInClient): Promise<void> {
    const user = await users.findByEmail(email);
    if (!user) return;
    await mailer.passwordReset(user);
    await events.record(user.id, 'password_reset_requested', client);
  }

  return {
    request,

    /** `request` after the answer has gone: failures are logged (never the address). */
    requestInBackground(email: string, client: SignInClient): void {
      request(email, client).catch((err: unknown) =>
        logger.warn({ kind: 'password_reset', reason: err instanceof Error ? err.message : String(err) }, 'password reset mail not queued'),
      );
    },

    async reset(token: string, newPassword: string, client: SignInClient): Promise<ResetResult> {
      const row = await tokens.peek(token, 'password_reset');
      const user = row && (await users.findById(row.userId));
      // A link mailed to an address the account no longer has proves nothing.
      if (!row || !user || user.email !== row.email) return { ok: false, reason: 'invalid_token' };
      const problems = passwordProblems(newPassword, { email: user.email });
      if (problems.length) return { ok: false, reason: 'weak_password', problems };
      const passwordHash = await hashingFor.run(client.addressKey, () => hasher.hash(newPassword));
      if (!(await tokens.take(token, 'password_reset'))) return { ok: false, reason: 'invalid_token' };

      let current = user;
      for (let i = 0; i < VERSION_RETRIES; i++) {
        // Through the user's Redis record, so every instance sees the new credential on
        // its next request (auth/user-records.ts).
        const version = current.credentialVersion;
        if ((await records.change(current.id, () => users.changePassword(current.id, passwordHash, version))) !== null) break;
        const fresh = await users.findById(current.id);
        if (!fresh) return { ok: false, reason: 'invalid_token' };
        current = fresh;
      }
      await tokens.voidAll(user.id, 'password_reset');
      await tokens.voidAll(user.id, 'email_change');
      const revoked = await sessions.revokeAll(user.id);
      await events.record(user.id, 'password_reset', client, { sessionsEnded: revoked });
      await mailer.passwordChanged(user, client);
      return { ok: true, revoked };
    },
  };
}

export type PasswordReset = ReturnType<typeof passwordReset>;
