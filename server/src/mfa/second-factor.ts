import type { AuthMethod, Role, SecondFactorMethod, TwoFactorStatus } from '@cloakroom/shared';
import type { ClientContext } from '../auth/client';
import type { UserRecords } from '../auth/user-records';
import type { UserState } from '../auth/user-state';
import type { SecondFactorsRepository } from '../db/second-factors';
import type { UserRow } from '../db/users';
import type { SecurityEvents } from '../events/security-events';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes';
import type { SecretBox } from './secret-box';
import { matchingStep, newTotpSecret, totpUrl } from './totp';

export interface SecondFactorDeps {
  repo: SecondFactorsRepository;
  /** Whether a user has a second factor is part of their auth state (users.second_factor_at,
   *  kept in their Redis record): every change of it goes through `records.change`. */
  records: Pick<UserRecords, 'change'>;
  /** Null when no DATA_ENCRYPTION_KEY is configured (production): setup is refused. */
  box: SecretBox | null;
  events: SecurityEvents;
  issuer: string;
  requiredForRoles: readonly Role[];
  /** Whether the user has a passkey: then it can stand in for the code at the second step. */
  hasPasskey: (userId: string) => Promise<boolean>;
  now?: () => number;
}

export type SetupResult = { ok: true; secret: string; otpauthUrl: string } | { ok: false; reason: 'enabled' | 'no_key' };
export type ConfirmResult = { ok: true; recoveryCodes: string[] } | { ok: false; reason: 'invalid_code' | 'no_setup' | 'enabled' };

/** What a secret is bound to in its ciphertext: whose it is and what for. */
const boundTo = (userId: string) => `totp:${userId}`;

/**
 * The second factor of an account: an authenticator app (TOTP) and its recovery codes.
 * Knows nothing of HTTP or sessions. The secret leaves the server once (at setup) and is
 * kept only encrypted; recovery codes leave it once (at confirmation) and are kept only
 * hashed. Every code is accepted at most once, by a conditional UPDATE.
 */
export function secondFactor(deps: SecondFactorDeps) {
  const { repo, records, box, events, issuer, requiredForRoles, hasPasskey } = deps;
  const now = deps.now ?? Date.now;

  async function confirmedSecret(userId: string): Promise<string | null> {
    const row = await repo.findTotp(userId);
    if (!row || row.confirmedAt === null || !box) return null;
    const secret = box.open(row.secret, boundTo(userId));
    // Rotation: a secret sealed under an older key moves to the current one on its next use.
    if (box.isStale(row.secret)) await repo.resealTotp(userId, row.secret, box.seal(secret, boundTo(userId)));
    return secret;
  }

  function newCodes(): { codes: string[]; hashes: string[] } {
    const codes = newRecoveryCodes();
    return { codes, hashes: codes.map(hashRecoveryCode) };
  }

  /** The methods that can finish a sign-in; empty: the password alone signs in. The
   *  authenticator app is what turns the second step on; a passkey (itself two factors)
   *  may then answer it instead of a code, but does not turn it on by itself: an account
   *  with passkeys alone would otherwise have no recovery codes to fall back on. */
  async function methods(userId: string): Promise<SecondFactorMethod[]> {
    if (!(await hasTotp(userId))) return [];
    return (await hasPasskey(userId)) ? ['totp', 'recovery_code', 'passkey'] : ['totp', 'recovery_code'];
  }

  /** Whether the account has an authenticator app (its recovery codes come with it). */
  async function hasTotp(userId: string): Promise<boolean> {
    return (await repo.findTotp(userId))?.confirmedAt != null;
  }

  /** The REQUIRE_2FA_FOR_ROLES rule, in one place for the request check and the status:
   *  a passkey sign-in is two factors in one, so it meets the rule without the app. */
  const heldToSetup = (role: Role, hasApp: boolean, signInMethods: readonly AuthMethod[]) =>
    requiredForRoles.includes(role) && !hasApp && !signInMethods.includes('passkey');

  return {
    methods,
    hasTotp,

    /** REQUIRE_2FA_FOR_ROLES: this session may only set up an authenticator app. The
     *  user's role needs a second factor, they have none, and the session did not begin
     *  with a passkey (two factors in one, so it meets the policy without the app; a
     *  password sign-in of the same user does not). Read from the user's auth state (their
     *  Redis record) and the session: no SQL on any request. */
    mustSetUp(user: Pick<UserState, 'role' | 'secondFactorAt'>, signInMethods: readonly AuthMethod[]): Promise<boolean> {
      return Promise.resolve(heldToSetup(user.role, user.secondFactorAt !== null, signInMethods));
    },

    async status(user: Pick<UserRow, 'id' | 'role'>, signInMethods: readonly AuthMethod[]): Promise<TwoFactorStatus> {
      const totp = await hasTotp(user.id);
      return {
        totp,
        recoveryCodesLeft: totp ? await repo.unusedRecoveryCodes(user.id) : 0,
        required: requiredForRoles.includes(user.role),
        setupRequired: heldToSetup(user.role, totp, signInMethods),
      };
    },

    async beginSetup(user: Pick<UserRow, 'id' | 'email'>): Promise<SetupResult> {
      if (!box) return { ok: false, reason: 'no_key' };
      const secret = newTotpSecret();
      if (!(await repo.putUnconfirmedTotp(user.id, box.seal(secret, boundTo(user.id)), now()))) return { ok: false, reason: 'enabled' };
      return { ok: true, secret, otpauthUrl: totpUrl(secret, issuer, user.email) };
    },

    async confirm(user: Pick<UserRow, 'id'>, code: string, client: ClientContext): Promise<ConfirmResult> {
      const row = await repo.findTotp(user.id);
      if (!row || !box) return { ok: false, reason: 'no_setup' };
      if (row.confirmedAt !== null) return { ok: false, reason: 'enabled' };
      const step = await matchingStep(box.open(row.secret, boundTo(user.id)), code, now());
      if (step === null) return { ok: false, reason: 'invalid_code' };
      const { codes, hashes } = newCodes();
      if (!(await records.change(user.id, () => repo.confirmTotp(user.id, step, hashes, now())))) return { ok: false, reason: 'enabled' };
      await events.record(user.id, 'totp_enabled', client);
      return { ok: true, recoveryCodes: codes };
    },

    async disable(user: Pick<UserRow, 'id'>, client: ClientContext, details?: Record<string, unknown>): Promise<boolean> {
      if (!(await records.change(user.id, () => repo.removeTotp(user.id)))) return false;
      await events.record(user.id, 'totp_disabled', client, details);
      return true;
    },

    async regenerateRecoveryCodes(user: Pick<UserRow, 'id'>, client: ClientContext): Promise<string[] | null> {
      if (!(await hasTotp(user.id))) return null;
      const { codes, hashes } = newCodes();
      await repo.replaceRecoveryCodes(user.id, hashes, now());
      await events.record(user.id, 'recovery_codes_regenerated', client);
      return codes;
    },

    /** A code from the app, right for now ±1 step and of a step not accepted before. A
     *  secret sealed under an older DATA_ENCRYPTION_KEY is re-sealed under the current one. */
    async verifyTotp(userId: string, code: string): Promise<boolean> {
      const secret = await confirmedSecret(userId);
      if (secret === null) return false;
      const step = await matchingStep(secret, code, now());
      return step !== null && (await repo.acceptStep(userId, step));
    },

    /** A recovery code: true once. Its use is recorded (the caller tells the user). */
    async useRecoveryCode(userId: string, code: string, client: ClientContext): Promise<boolean> {
      if (!(await hasTotp(userId))) return false;
      if (!(await repo.useRecoveryCode(userId, hashRecoveryCode(code), now()))) return false;
      await events.record(userId, 'recovery_code_used', client, { left: await repo.unusedRecoveryCodes(userId) });
      return true;
    },
  };
}

export type SecondFactor = ReturnType<typeof secondFactor>;
