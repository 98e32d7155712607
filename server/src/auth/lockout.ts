import { createHash } from 'node:crypto';
import type { LockoutPolicy } from '../config/limits';
import type { Redis } from '../redis/client';
import type { RedisKeys } from '../redis/keys';
import { defineScript } from '../redis/script';

/** Starts a sign-in attempt on one (account, address) pair, atomically: refuses while
 *  the pair is locked; otherwise counts the attempt, and once the count reaches the
 *  threshold locks the pair for base·2^(count−threshold) ms (at most max). Counting at
 *  the start, not after the verdict, means a burst of parallel guesses cannot slip
 *  through before the first failure is written. A success clears the pair. Refused
 *  attempts neither count nor extend the lock, so the lock always ends.
 *  Time is Redis's own clock, shared by every instance.
 *  KEYS: pair. ARGV: threshold, base ms, max ms, memory ms.
 *  Returns {1, lock ms set by this attempt (0 if none), count} or {0, ms left, count}. */
const beginAttempt = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local locked = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if locked > now then
  return {0, locked - now, tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')}
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local threshold = tonumber(ARGV[1])
local lock = 0
if attempts >= threshold then
  lock = math.min(tonumber(ARGV[2]) * 2 ^ (attempts - threshold), tonumber(ARGV[3]))
  lock = math.floor(lock)
  redis.call('HSET', KEYS[1], 'until', string.format('%d', now + lock))
end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), lock))
return {1, lock, attempts}
`);

/** Takes back an attempt that ended without a verdict (the database or the hasher
 *  failed mid-way): it counts towards no lock, and a lock it started is lifted.
 *  KEYS: pair. ARGV: 1 if this attempt started a lock, else 0. */
const abandonAttempt = defineScript(`
local left = redis.call('HINCRBY', KEYS[1], 'attempts', -1)
if ARGV[1] == '1' then redis.call('HDEL', KEYS[1], 'until') end
if left <= 0 then redis.call('DEL', KEYS[1]) end
return left
`);

export type LockoutVerdict =
  { allowed: true; attempts: number; /** > 0 when this attempt started a lock. */ lockedForMs: number } | { allowed: false; retryAfterMs: number };

/** Temporary lockout of one account from one client address, with exponential backoff.
 *  Keyed by account and address together, so an attacker locks only their own address
 *  out of the victim's account; the per-account rate limit is the overall ceiling.
 *  Unknown and known emails are treated identically (nothing here reads the database). */
export function loginLockout(redis: Redis, keys: RedisKeys, policy: LockoutPolicy) {
  const key = (email: string, addressKey: string) => keys.lockout(createHash('sha256').update(`${email}\n${addressKey}`).digest('base64url'));

  return {
    policy,

    async begin(email: string, addressKey: string): Promise<LockoutVerdict> {
      const reply = (await beginAttempt(
        redis,
        [key(email, addressKey)],
        [String(policy.threshold), String(policy.baseDelayMs), String(policy.maxDelayMs), String(policy.windowMs)],
      )) as [number, number, number];
      const [allowed, ms, attempts] = reply.map(Number) as [number, number, number];
      return allowed === 1 ? { allowed: true, attempts, lockedForMs: ms } : { allowed: false, retryAfterMs: ms };
    },

    /** The attempt got no verdict (a dependency failed): as if it never happened, so an
     *  outage cannot lock anyone out. Such an attempt told its sender nothing. */
    async abandoned(email: string, addressKey: string, startedLock: boolean): Promise<void> {
      await abandonAttempt(redis, [key(email, addressKey)], [startedLock ? '1' : '0']);
    },

    /** The right password from this address: its failures are forgiven. */
    async succeeded(email: string, addressKey: string): Promise<void> {
      await redis.del(key(email, addressKey));
    },
  };
}

export type LoginLockout = ReturnType<typeof loginLockout>;
