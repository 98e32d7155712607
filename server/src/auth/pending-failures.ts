import { PENDING_MAX_WRONG_CODES, PENDING_SESSION_SECONDS } from '@cloakroom/shared';
import type { Redis } from '../redis/client';
import type { RedisKeys } from '../redis/keys';
import { defineScript } from '../redis/script';

/** Counts one code attempt of a pending sign-in, before its verdict (so parallel guesses
 *  cannot slip past the limit), and takes it back on success.
 *  KEYS: counter. ARGV: ttl ms. Returns the count including this attempt. */
const countAttempt = defineScript(
  'pending-code-attempt',
  `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`,
);

/** Wrong codes of one pending sign-in: the fifth ends it (the caller removes the
 *  session), whatever the account-wide limits still allow. */
export function pendingFailures(redis: Redis, keys: RedisKeys) {
  return {
    /** Counts this attempt: which one it is, and whether it is the last allowed (a
     *  wrong code then ends the pending sign-in) or past it (refused unheard). */
    async admit(handle: string): Promise<{ allowed: boolean; last: boolean }> {
      const n = Number(await countAttempt(redis, [keys.pendingCodeFailures(handle)], [String(PENDING_SESSION_SECONDS * 1000)]));
      return { allowed: n <= PENDING_MAX_WRONG_CODES, last: n >= PENDING_MAX_WRONG_CODES };
    },
    async clear(handle: string): Promise<void> {
      await redis.del(keys.pendingCodeFailures(handle));
    },
  };
}

export type PendingFailures = ReturnType<typeof pendingFailures>;
