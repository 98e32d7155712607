import type { AttemptCounters } from '../auth/attempts';
import type { SignInClient } from '../auth/client';
import { hashingFor, type PasswordHasher } from '../auth/passwords/hasher';
import { passwordProblems, type PasswordProblem } from '../auth/passwords/policy';
import type { QueueShares } from '../auth/passwords/queue-shares';
import type { UserSessions } from '../auth/session/user-sessions';
import type { UserRecords } from '../auth/user-records';
import type { UserState } from '../auth/user-state';
import { accountKey } from '../auth/sign-in';
import type { UserRow, UsersRepository } from '../db/users';
import type { SecurityEvents } from '../events/security-events';
import type { MailTokens } from '../tokens/mail-tokens';
import type { AccountMailer } from './mailer';

export type PasswordChangeResult =
  | { ok: true; user: UserRow; revoked: number }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'weak_password'; problems: PasswordProblem[] }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

/** Waiting for a place in the hashing queue is a matter of a second or so. */
const QUEUE_RETRY_MS = 1000;

/**
 * Changing a password (ASVS 6.2.3, 7.5.1, 7.4.3):
 *   1. the new password against the registration policy, before any hashing: a weak
 *      one costs no verification;
 *   2. a place in the hashing queue within the account's and the address's share, and
 *      one verification from their budgets (the same as sign-in's);
 *   3. the current password (re-authentication);
 *   4. the new hash, `passwordChangedAt` and a new credential version in one UPDATE, only
 *      if the credential is still the one just verified, through the user's Redis record
 *      (`records.change`): every session bound to the old one is dead wherever it is
 *      checked, from the very next request, even one a racing sign-in writes later;
 *   5. outstanding reset and email-change links voided, every session but `keep`
 *      deleted from Redis, the audit trail, and a notice mailed to the account.
 * The caller then starts the current session afresh under a new ID, bound to the new
 * credential. Nothing is written unless both passwords pass.
 */
export function passwordChange(deps: {
  users: UsersRepository;
  records: UserRecords;
  hasher: PasswordHasher;
  sessions: UserSessions;
  events: SecurityEvents;
  counters: AttemptCounters;
  shares: QueueShares;
  tokens: MailTokens;
  mailer: AccountMailer;
}) {
  const { users, records, hasher, sessions, events, counters, shares, tokens, mailer } = deps;

  return async function change(
    caller: UserState,
    input: { currentPassword: string; newPassword: string },
    context: { keep: string; client: SignInClient },
  ): Promise<PasswordChangeResult> {
    const problems = passwordProblems(input.newPassword, { email: caller.email });
    if (problems.length) return { ok: false, reason: 'weak_password', problems };
    // The hash is never in the user's Redis record: the row, read now.
    const user = await users.findById(caller.id);
    if (!user) return { ok: false, reason: 'invalid_credentials' };

    const requester = { account: accountKey(user.email), address: context.client.addressKey };
    const leave = shares.enter(requester);
    if (!leave) return { ok: false, reason: 'throttled', retryAfterMs: QUEUE_RETRY_MS };
    let passwordHash: string;
    try {
      const budget = await counters.spendCheck(requester.account, requester.address);
      if (!budget.allowed) return { ok: false, reason: 'throttled', retryAfterMs: budget.retryAfterMs };
      const verified = await hashingFor.run(requester.address, async () => {
        if (!(await hasher.verify(user.passwordHash, input.currentPassword))) return null;
        return hasher.hash(input.newPassword);
      });
      if (verified === null) return { ok: false, reason: 'invalid_credentials' };
      passwordHash = verified;
    } finally {
      leave();
    }

    const now = Date.now();
    const credentialVersion = await records.change(user.id, () => users.changePassword(user.id, passwordHash, user.credentialVersion, now));
    // Changed by someone else since this request read the row: the password just
    // verified is no longer the current one.
    if (credentialVersion === null) return { ok: false, reason: 'invalid_credentials' };
    // Reset links (and pending email changes) asked for before are void: whoever has
    // the old password or the mailbox cannot undo this change with them.
    await tokens.voidAll(user.id, 'password_reset');
    await tokens.voidAll(user.id, 'email_change');
    const revoked = await sessions.revokeAll(user.id, context.keep);
    await events.record(user.id, 'password_changed', context.client, { otherSessionsEnded: revoked });
    await mailer.passwordChanged(user, context.client);
    return { ok: true, user: { ...user, passwordHash, passwordChangedAt: now, updatedAt: now, credentialVersion }, revoked };
  };
}

export type PasswordChange = ReturnType<typeof passwordChange>;
