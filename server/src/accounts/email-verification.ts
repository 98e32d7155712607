import type { SignInClient } from '../auth/client';
import type { UserRecords } from '../auth/user-records';
import type { UserRow, UsersRepository } from '../db/users';
import type { SecurityEvents } from '../events/security-events';
import type { MailTokens } from '../tokens/mail-tokens';
import type { CurrentPasswordChecker } from './current-password';
import type { AccountMailer } from './mailer';

export type ConfirmResult = { ok: true; user: UserRow } | { ok: false; reason: 'invalid_token' | 'email_taken' };

export type EmailChangeResult =
  { ok: true } | { ok: false; reason: 'invalid_credentials' | 'email_taken' | 'same_email' } | { ok: false; reason: 'throttled'; retryAfterMs: number };

/**
 * Email verification and email change. Both end at `confirm`, which takes a token of
 * either purpose: a verification token marks the address it was mailed to as verified
 * (if it is still the account's); an email-change token moves the account to the address
 * it is bound to, verified, if that address is still free then (the unique index
 * decides: a registration racing the confirmation cannot share it). Sessions stay.
 */
export function emailVerification(deps: {
  users: UsersRepository;
  records: UserRecords;
  events: SecurityEvents;
  tokens: MailTokens;
  mailer: AccountMailer;
  checkPassword: CurrentPasswordChecker;
}) {
  const { users, records, events, tokens, mailer, checkPassword } = deps;

  async function verify(token: string, client: SignInClient): Promise<ConfirmResult | null> {
    const row = await tokens.peek(token, 'email_verify');
    if (!row) return null;
    if (!(await tokens.take(token, 'email_verify'))) return { ok: false, reason: 'invalid_token' };
    // Both writes go through the user's Redis record: /api/me shows them on the next request.
    if (!(await records.change(row.userId, () => users.markEmailVerified(row.userId, row.email)))) return { ok: false, reason: 'invalid_token' };
    const user = await users.findById(row.userId);
    if (!user) return { ok: false, reason: 'invalid_token' };
    await events.record(user.id, 'email_verified', client);
    return { ok: true, user };
  }

  async function applyChange(token: string, client: SignInClient): Promise<ConfirmResult | null> {
    const row = await tokens.peek(token, 'email_change');
    if (!row) return null;
    const before = await users.findById(row.userId);
    if (!before || !(await tokens.take(token, 'email_change'))) return { ok: false, reason: 'invalid_token' };
    const outcome = await records.change(before.id, () => users.changeEmail(before.id, before.email, row.email));
    if (outcome === 'email_taken') return { ok: false, reason: 'email_taken' };
    if (outcome === 'stale') return { ok: false, reason: 'invalid_token' };
    // Links mailed to the old address (verification, reset) are void with it.
    await tokens.voidAll(before.id, 'email_verify');
    await tokens.voidAll(before.id, 'password_reset');
    const user = await users.findById(before.id);
    if (!user) return { ok: false, reason: 'invalid_token' };
    await events.record(user.id, 'email_changed', client, { step: 'confirmed' });
    return { ok: true, user };
  }

  return {
    /** Mails a verification link for the user's current address (older links void). */
    sendVerification: (user: Pick<UserRow, 'id' | 'email'>) => mailer.verification(user),

    async confirm(token: string, client: SignInClient): Promise<ConfirmResult> {
      return (await verify(token, client)) ?? (await applyChange(token, client)) ?? { ok: false, reason: 'invalid_token' };
    },

    /** Asks for an email change: the current password, a free new address; then a
     *  confirmation link to the new address and a notice to the old. */
    async requestChange(
      caller: Pick<UserRow, 'id' | 'email'>,
      input: { newEmail: string; currentPassword: string },
      client: SignInClient,
    ): Promise<EmailChangeResult> {
      if (input.newEmail === caller.email) return { ok: false, reason: 'same_email' };
      // The row, read now: the password hash is checked against what the database holds.
      const user = await users.findById(caller.id);
      if (!user) return { ok: false, reason: 'invalid_credentials' };
      const check = await checkPassword(user, input.currentPassword, client);
      if (!check.ok) return check;
      if (await users.findByEmail(input.newEmail)) return { ok: false, reason: 'email_taken' };
      await mailer.emailChange(user, input.newEmail, client);
      await events.record(user.id, 'email_change_requested', client, { step: 'requested' });
      return { ok: true };
    },
  };
}

export type EmailVerification = ReturnType<typeof emailVerification>;
