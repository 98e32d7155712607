import { createHash } from 'node:crypto';
import type { SecurityEventType } from '@cloakroom/shared';
import type { CredentialCheck } from '../accounts/accounts';
import type { UserRow } from '../db/users';
import type { SecurityEvents } from '../events/security-events';
import type { AttemptCounters, AttemptSubject } from './attempts';
import type { SignInClient } from './client';
import { hashingFor } from './passwords/hasher';
import type { QueueShares } from './passwords/queue-shares';

export type SignInResult =
  { ok: true; user: UserRow } | { ok: false; reason: 'invalid_credentials' } | { ok: false; reason: 'throttled'; retryAfterMs: number };

export interface SignInAttempt {
  email: string;
  client: SignInClient;
  /** The id of this browser's device token for `email` (auth/devices.ts), or null. */
  device: string | null;
}

/** What an attempt records in the user's audit trail. A password sign-in records
 *  login_succeeded / login_failed; a second-factor step or a re-authentication names
 *  its own events (and a password step that leads to a second factor records nothing
 *  until the sign-in completes). */
export interface AttemptAudit {
  success: SecurityEventType | null | ((user: UserRow) => Promise<SecurityEventType | null>);
  failure: SecurityEventType;
  details?: Record<string, unknown>;
}

const PASSWORD_SIGN_IN: AttemptAudit = { success: 'login_succeeded', failure: 'login_failed' };

/** Waiting for a place in the hashing queue is a matter of a second or so. */
const QUEUE_RETRY_MS = 1000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** The name an account goes by in limits and budgets: a hash of its email, never the
 *  email (sign-in counts before it reads the database, so it never knows the id). */
export const accountKey = (email: string) => sha256(email);

/** Who an attempt counts against. A known browser is an account-level subject of its
 *  own, and its own lockout pair: an attacker's guesses elsewhere use up the account's
 *  ceiling and budget, never the owner's browser's; the browser's guesses lock only
 *  itself. Unknown browsers share the account's ceiling, and lock (account, address). */
function subjectOf({ email, client, device }: SignInAttempt): AttemptSubject {
  if (device) {
    const own = sha256(`${email}\ndevice:${device}`);
    return { account: own, pair: own, address: client.addressKey };
  }
  return { account: accountKey(email), pair: sha256(`${email}\n${client.addressKey}`), address: client.addressKey };
}

/**
 * One sign-in attempt, straight through:
 *   1. a place in the hashing queue within the account's and the address's share, or
 *      429 at once;
 *   2. the limits, in one Redis round trip: the pair's lock, the wrong-password limits
 *      (the account's is the ceiling), the budgets of verifications; the attempt is
 *      counted here, before the verdict;
 *   3. the credentials (exactly one argon2 verification, known email or not), taking
 *      the address's turn in the hashing queue;
 *   4. the verdict: a success gives back its wrong-password counts and is audited; a
 *      failure is audited only for accounts that exist, without awaiting, so an unknown
 *      email and a wrong password take the same path up to the answer.
 * An attempt that got no verdict (a dependency failed) is taken back from every count.
 */
export function signIn(deps: { counters: AttemptCounters; shares: QueueShares; events: SecurityEvents }) {
  const { counters, shares, events } = deps;

  return async function attempt(request: SignInAttempt, verify: () => Promise<CredentialCheck>, audit: AttemptAudit = PASSWORD_SIGN_IN): Promise<SignInResult> {
    const subject = subjectOf(request);
    const { client } = request;
    const leave = shares.enter(subject);
    if (!leave) return { ok: false, reason: 'throttled', retryAfterMs: QUEUE_RETRY_MS };
    try {
      const verdict = await counters.begin(subject);
      if (!verdict.allowed) return { ok: false, reason: 'throttled', retryAfterMs: verdict.retryAfterMs };

      let check: CredentialCheck;
      try {
        check = await hashingFor.run(subject.address, verify);
      } catch (err) {
        await counters.abandoned(subject, verdict.lockedForMs > 0).catch(() => undefined);
        throw err;
      }
      if (check.user) {
        await counters.succeeded(subject);
        const success = typeof audit.success === 'function' ? await audit.success(check.user) : audit.success;
        if (success) await events.record(check.user.id, success, client, { ...audit.details, knownDevice: request.device !== null });
        return { ok: true, user: check.user };
      }
      if (check.knownUserId) {
        void events.record(check.knownUserId, audit.failure, client, { ...audit.details, consecutiveFailures: verdict.attempts });
        if (verdict.lockedForMs > 0) {
          void events.record(check.knownUserId, 'account_locked', client, {
            scope: request.device ? 'account_and_device' : 'account_and_address',
            lockedForSeconds: Math.ceil(verdict.lockedForMs / 1000),
            consecutiveFailures: verdict.attempts,
          });
        }
      }
      return { ok: false, reason: 'invalid_credentials' };
    } finally {
      leave();
    }
  };
}

export type SignIn = ReturnType<typeof signIn>;
