import type { CredentialCheck } from '../accounts/accounts';
import type { UserRow } from '../db/users';
import type { SecurityEvents } from '../events/security-events';
import type { ClientContext } from './client-context';
import type { LoginLockout } from './lockout';

export type SignInResult = { ok: true; user: UserRow } | { ok: false; reason: 'invalid_credentials' } | { ok: false; reason: 'locked'; retryAfterMs: number };

export interface SignInClient extends ClientContext {
  /** The address as the rate limits count it (an IPv6 client counts by its /56). */
  addressKey: string;
}

/** One sign-in attempt: the lockout first (a locked pair costs no password check), then
 *  the credentials, then the audit trail. Failure events are written only for accounts
 *  that exist, and are not awaited, so an unknown email and a wrong password take the
 *  same path up to the answer. */
export function signIn(lockout: LoginLockout, events: SecurityEvents) {
  return async function attempt(email: string, client: SignInClient, verify: () => Promise<CredentialCheck>): Promise<SignInResult> {
    const verdict = await lockout.begin(email, client.addressKey);
    if (!verdict.allowed) return { ok: false, reason: 'locked', retryAfterMs: verdict.retryAfterMs };

    let check: CredentialCheck;
    try {
      check = await verify();
    } catch (err) {
      // No verdict (the database or the hasher failed, the client gets a 503): the
      // attempt must not count towards locking this pair out.
      await lockout.abandoned(email, client.addressKey, verdict.lockedForMs > 0).catch(() => undefined);
      throw err;
    }
    if (check.user) {
      await lockout.succeeded(email, client.addressKey);
      await events.record(check.user.id, 'login_succeeded', client);
      return { ok: true, user: check.user };
    }
    if (check.knownUserId) {
      void events.record(check.knownUserId, 'login_failed', client, { consecutiveFailures: verdict.attempts });
      if (verdict.lockedForMs > 0) {
        void events.record(check.knownUserId, 'account_locked', client, {
          scope: 'account_and_address',
          lockedForSeconds: Math.ceil(verdict.lockedForMs / 1000),
          consecutiveFailures: verdict.attempts,
        });
      }
    }
    return { ok: false, reason: 'invalid_credentials' };
  };
}

export type SignIn = ReturnType<typeof signIn>;
