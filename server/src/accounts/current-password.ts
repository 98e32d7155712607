import type { AttemptCounters } from '../auth/attempts';
import type { SignInClient } from '../auth/client';
import { hashingFor, type PasswordHasher } from '../auth/passwords/hasher';
import type { QueueShares } from '../auth/passwords/queue-shares';
import { accountKey } from '../auth/sign-in';
import type { UserRow } from '../db/users';

export type CurrentPasswordCheck = { ok: true } | { ok: false; reason: 'invalid_credentials' } | { ok: false; reason: 'throttled'; retryAfterMs: number };

/** Waiting for a place in the hashing queue is a matter of a second or so. */
const QUEUE_RETRY_MS = 1000;

/** Re-authentication with the current password for a sensitive change (ASVS 6.4.3:
 *  an email change needs it): the same hashing-queue share and verification budget as
 *  sign-in and password change, so it is no cheaper oracle for guessing. */
export function currentPasswordCheck(deps: { hasher: PasswordHasher; counters: AttemptCounters; shares: QueueShares }) {
  const { hasher, counters, shares } = deps;
  return async function check(user: UserRow, password: string, client: SignInClient): Promise<CurrentPasswordCheck> {
    const requester = { account: accountKey(user.email), address: client.addressKey };
    const leave = shares.enter(requester);
    if (!leave) return { ok: false, reason: 'throttled', retryAfterMs: QUEUE_RETRY_MS };
    try {
      const budget = await counters.spendCheck(requester.account, requester.address);
      if (!budget.allowed) return { ok: false, reason: 'throttled', retryAfterMs: budget.retryAfterMs };
      const right = await hashingFor.run(requester.address, () => hasher.verify(user.passwordHash, password));
      return right ? { ok: true } : { ok: false, reason: 'invalid_credentials' };
    } finally {
      leave();
    }
  };
}

export type CurrentPasswordChecker = ReturnType<typeof currentPasswordCheck>;
