import type { Limits } from '../config/limits';
import type { Redis } from '../redis/client';
import type { RedisKeys } from '../redis/keys';
import { defineScript } from '../redis/script';

/**
 * Starts a sign-in attempt, atomically, in one round trip. Refused, without counting
 * anything, while:
 *   - the (account, address or device) pair is locked;
 *   - the account's wrong-password answers (KEYS[2]) or the address's (KEYS[3]) have
 *     reached their limit in the current window (the account's is the ceiling);
 *   - the account's or the address's password verifications of any outcome (KEYS[4],
 *     KEYS[5]) have used up their budget.
 * Otherwise every counter counts the attempt: counting at the start, not after the
 * verdict, means a burst of parallel guesses cannot slip through before the first
 * failure is written. A success gives the wrong-password counts back (succeed below),
 * never the verifications. Once the pair's count reaches the threshold it is locked for
 * base·2^(count−threshold) ms (at most max); refused attempts neither count nor extend
 * the lock, so the lock always ends. Time is Redis's own clock, shared by every instance.
 *   KEYS: pair, account failures, address failures, account checks, address checks.
 *   ARGV: threshold, base ms, max ms, memory ms, then limit and window ms for each of
 *         KEYS[2..5] in turn.
 *   Returns {1, lock ms set by this attempt (0 if none), pair count} or {0, ms to wait}.
 */
const beginAttempt = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local locked = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if locked > now then return {0, locked - now} end
for i = 2, 5 do
  local limit = tonumber(ARGV[2 * i + 1])
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= limit then
    local left = redis.call('PTTL', KEYS[i])
    if left < 0 then left = tonumber(ARGV[2 * i + 2]) end
    return {0, left}
  end
end
for i = 2, 5 do
  if redis.call('INCR', KEYS[i]) == 1 or redis.call('PTTL', KEYS[i]) < 0 then
    redis.call('PEXPIRE', KEYS[i], ARGV[2 * i + 2])
  end
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local threshold = tonumber(ARGV[1])
local lock = 0
if attempts >= threshold then
  lock = math.floor(math.min(tonumber(ARGV[2]) * 2 ^ (attempts - threshold), tonumber(ARGV[3])))
  redis.call('HSET', KEYS[1], 'until', string.format('%d', now + lock))
end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), lock))
return {1, lock, attempts}
`);

/** The right password: the pair's failures are forgiven, and the attempt gives back
 *  what it took from the wrong-password counts.
 *  KEYS: pair, account failures, address failures. */
const succeedAttempt = defineScript(`
redis.call('DEL', KEYS[1])
for i = 2, 3 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
`);

/** An attempt that ended without a verdict (the database or the hasher failed mid-way)
 *  is taken back from every count; a lock it started is lifted.
 *  KEYS: pair, account failures, address failures, account checks, address checks.
 *  ARGV: 1 if this attempt started a lock, else 0. */
const abandonAttempt = defineScript(`
local left = redis.call('HINCRBY', KEYS[1], 'attempts', -1)
if ARGV[1] == '1' then redis.call('HDEL', KEYS[1], 'until') end
if left <= 0 then redis.call('DEL', KEYS[1]) end
for i = 2, 5 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
`);

/** Spends one verification from the account's and the address's budgets (a password
 *  change's check of the current password), or refuses when either is used up.
 *  KEYS: account checks, address checks. ARGV: limit and window ms for each.
 *  Returns {1} or {0, ms to wait}. */
const spendCheck = defineScript(`
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[2 * i - 1]) then
    local left = redis.call('PTTL', KEYS[i])
    if left < 0 then left = tonumber(ARGV[2 * i]) end
    return {0, left}
  end
end
for i = 1, 2 do
  if redis.call('INCR', KEYS[i]) == 1 or redis.call('PTTL', KEYS[i]) < 0 then
    redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
  end
end
return {1}
`);

/** Who an attempt counts against. `account` is a hash of the email (or, for a browser
 *  known to the account, of the email and that browser), `pair` a hash naming the
 *  lockout pair, `address` the client address key. */
export interface AttemptSubject {
  account: string;
  pair: string;
  address: string;
}

export type AttemptVerdict =
  { allowed: true; attempts: number; /** > 0 when this attempt started a lock. */ lockedForMs: number } | { allowed: false; retryAfterMs: number };

/** The Redis side of sign-in limits (the policy reads in auth/sign-in.ts): lockout of a
 *  pair with backoff, wrong-password limits per account (the ceiling) and per address,
 *  and the budgets of password verifications. A successful sign-in costs two round
 *  trips here: begin and succeed. */
export function attemptCounters(redis: Redis, keys: RedisKeys, limits: Limits) {
  const all = (s: AttemptSubject) => [
    keys.lockout(s.pair),
    keys.loginFailuresOfAccount(s.account),
    keys.loginFailuresOfAddress(s.address),
    keys.passwordChecksOfAccount(s.account),
    keys.passwordChecksOfAddress(s.address),
  ];
  const rates = [limits.loginAccount, limits.loginIp, limits.passwordChecksAccount, limits.passwordChecksIp].flatMap((r) => [
    String(r.limit),
    String(r.windowMs),
  ]);
  const { threshold, baseDelayMs, maxDelayMs, windowMs } = limits.lockout;

  return {
    async begin(subject: AttemptSubject): Promise<AttemptVerdict> {
      const reply = (await beginAttempt(redis, all(subject), [
        String(threshold),
        String(baseDelayMs),
        String(maxDelayMs),
        String(windowMs),
        ...rates,
      ])) as number[];
      const [allowed, ms, attempts] = reply.map(Number) as [number, number, number];
      return allowed === 1 ? { allowed: true, attempts, lockedForMs: ms } : { allowed: false, retryAfterMs: ms };
    },

    async succeeded(subject: AttemptSubject): Promise<void> {
      await succeedAttempt(redis, all(subject).slice(0, 3), []);
    },

    /** The attempt got no verdict (a dependency failed): as if it never happened, so an
     *  outage cannot lock anyone out. Such an attempt told its sender nothing. */
    async abandoned(subject: AttemptSubject, startedLock: boolean): Promise<void> {
      await abandonAttempt(redis, all(subject), [startedLock ? '1' : '0']);
    },

    /** One verification outside sign-in (a password change), from the same budgets. */
    async spendCheck(account: string, address: string): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> {
      const budgets = [limits.passwordChecksAccount, limits.passwordChecksIp].flatMap((r) => [String(r.limit), String(r.windowMs)]);
      const reply = (await spendCheck(redis, [keys.passwordChecksOfAccount(account), keys.passwordChecksOfAddress(address)], budgets)) as number[];
      return reply[0] === 1 ? { allowed: true } : { allowed: false, retryAfterMs: Number(reply[1]) };
    },
  };
}

export type AttemptCounters = ReturnType<typeof attemptCounters>;
