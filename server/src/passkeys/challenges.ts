import type { Redis } from '../redis/client';
import type { RedisKeys } from '../redis/keys';

/** How long a challenge waits for its answer (the contract: 5 minutes). The browser's own
 *  ceremony timeout (options.timeout) is shorter. */
export const CHALLENGE_TTL_SECONDS = 300;

/** What a challenge is for: a challenge issued for one ceremony never serves another. */
export type Ceremony = 'register' | 'login' | 'reauth' | 'second_factor';

export interface PendingChallenge {
  challenge: string;
  /** Registration: the user the options were made for. */
  userId?: string;
}

/**
 * WebAuthn challenges kept server-side (never in a cookie the client could replay), bound to
 * the caller that asked: a signed-in session by its public handle, an anonymous passkey
 * sign-in by the hash of its challenge cookie. Asking again replaces the earlier challenge;
 * taking one deletes it in the same command (GETDEL), so an answer is checked at most once
 * whatever happens next, and a replayed answer finds nothing.
 */
export function challengeStore(redis: Redis, keys: RedisKeys) {
  return {
    async issue(ceremony: Ceremony, binding: string, pending: PendingChallenge): Promise<void> {
      await redis.set(keys.webauthnChallenge(ceremony, binding), JSON.stringify(pending), { EX: CHALLENGE_TTL_SECONDS });
    },

    /** The challenge waiting for this binding, removed; null if none (never issued,
     *  already used, or expired). */
    async take(ceremony: Ceremony, binding: string): Promise<PendingChallenge | null> {
      const raw = await redis.getDel(keys.webauthnChallenge(ceremony, binding));
      if (raw === null) return null;
      try {
        const value = JSON.parse(String(raw)) as PendingChallenge;
        return typeof value.challenge === 'string' ? value : null;
      } catch {
        return null;
      }
    },
  };
}

export type ChallengeStore = ReturnType<typeof challengeStore>;
