import type { Limits } from '../config/limits';
import type { Redis } from '../redis/client';
import type { RedisKeys } from '../redis/keys';
import { defineScript } from '../redis/script';

/*
 * Sign-in limits as scripts that each stay in one Redis Cluster hash slot: the account's
 * keys (its lockout pairs, wrong-password count, verification budget) carry the tag of
 * the account's hash, the client address's keys the tag of the address's hash
 * (redis/keys.ts). An attempt runs the account's script, then the address's; when the
 * address refuses, the account's part is given back at once (`abandonAccount`), so a
 * refused attempt counts nowhere. Each counter is checked and counted atomically, so a
 * burst of parallel guesses cannot slip past any limit; in the instant between the two
 * scripts a parallel attempt may see a count that is about to be given back and be
 * refused too early, never too late. Time is Redis's own clock, shared by every instance.
 */

/**
 * The account's side of starting a sign-in attempt. Refused, without counting anything,
 * while the (account, address or device) pair is locked, or the account's
 * wrong-password answers (KEYS[2], the ceiling) or verifications of any outcome
 * (KEYS[3]) have reached their limit in the current window. Otherwise every counter
 * counts the attempt: counting at the start, not after the verdict, means a burst of
 * parallel guesses cannot slip through before the first failure is written. A success
 * gives the wrong-password count back, never the verifications. Once the pair's count
 * reaches the threshold it is locked for base·2^(count−threshold) ms (at most max);
 * refused attempts neither count nor extend the lock, so the lock always ends.
 *   KEYS: pair, account failures, account checks.
 *   ARGV: threshold, base ms, max ms, memory ms, then limit and window ms for KEYS[2]
 *         and KEYS[3].
 *   Returns {1, lock ms set by this attempt (0 if none), pair count} or {0, ms to wait}.
 */
const beginAccount = defineScript(
  'beginAccount',
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local locked = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if locked > now then return {0, locked - now} end
for i = 2, 3 do
  local limit = tonumber(ARGV[2 * i + 1])
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= limit then
    local left = redis.call('PTTL', KEYS[i])
    if left < 0 then left = tonumber(ARGV[2 * i + 2]) end
    return {0, left}
  end
end
for i = 2, 3 do
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
`,
);

/** The right password, on the account's side: the pair's failures are forgiven, and
 *  the attempt gives back what it took from the account's wrong-password count.
 *  KEYS: pair, account failures. */
const succeedAccount = defineScript(
  'succeedAccount',
  `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
`,
);

/** An attempt taken back on the account's side (it ended without a verdict, or the
 *  address refused it): out of every count; a lock it started is lifted.
 *  KEYS: pair, account failures, account checks.
 *  ARGV: 1 if this attempt started a lock, else 0. */
const abandonAccount = defineScript(
  'abandonAccount',
  `
local left = redis.call('HINCRBY', KEYS[1], 'attempts', -1)
if ARGV[1] == '1' then redis.call('HDEL', KEYS[1], 'until') end
if left <= 0 then redis.call('DEL', KEYS[1]) end
for i = 2, 3 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
`,
);

/** Counts one against each window counter in KEYS (all of one slot), or refuses,
 *  counting nothing, when any has reached its limit.
 *  ARGV: limit and window ms for each key in turn. Returns {1} or {0, ms to wait}. */
const countAll = defineScript(
  'countAll',
  `
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[2 * i - 1]) then
    local left = redis.call('PTTL', KEYS[i])
    if left < 0 then left = tonumber(ARGV[2 * i]) end
    return {0, left}
  end
end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 or redis.call('PTTL', KEYS[i]) < 0 then
    redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
  end
end
return {1}
`,
);

/** Gives one back to each counter in KEYS (all of one slot) that is above zero. */
const giveBack = defineScript(
  'giveBack',
  `
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
`,
);

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
 *  and the budgets of password verifications. A successful sign-in costs four round
 *  trips here: the account's and the address's side of begin and of succeed. */
export function attemptCounters(redis: Redis, keys: RedisKeys, limits: Limits) {
  const accountKeys = (s: AttemptSubject) => [keys.lockout(s.account, s.pair), keys.loginFailuresOfAccount(s.account), keys.passwordChecksOfAccount(s.account)];
  const addressKeys = (s: AttemptSubject) => [keys.loginFailuresOfAddress(s.address), keys.passwordChecksOfAddress(s.address)];
  const rates = (...list: Array<{ limit: number; windowMs: number }>) => list.flatMap((r) => [String(r.limit), String(r.windowMs)]);
  const { threshold, baseDelayMs, maxDelayMs, windowMs } = limits.lockout;
  const accountArgs = [
    String(threshold),
    String(baseDelayMs),
    String(maxDelayMs),
    String(windowMs),
    ...rates(limits.loginAccount, limits.passwordChecksAccount),
  ];
  const addressArgs = rates(limits.loginIp, limits.passwordChecksIp);
  type Budget = { allowed: true } | { allowed: false; retryAfterMs: number };
  const budget = (reply: unknown): Budget => {
    const [allowed, ms] = (reply as number[]).map(Number) as [number, number];
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: ms };
  };

  return {
    async begin(subject: AttemptSubject): Promise<AttemptVerdict> {
      const reply = (await beginAccount(redis, accountKeys(subject), accountArgs)) as number[];
      const [allowed, ms, attempts] = reply.map(Number) as [number, number, number];
      if (allowed !== 1) return { allowed: false, retryAfterMs: ms };
      let address: Budget;
      try {
        address = budget(await countAll(redis, addressKeys(subject), addressArgs));
      } catch (err) {
        await abandonAccount(redis, accountKeys(subject), [ms > 0 ? '1' : '0']).catch(() => undefined);
        throw err;
      }
      if (address.allowed) return { allowed: true, attempts, lockedForMs: ms };
      await abandonAccount(redis, accountKeys(subject), [ms > 0 ? '1' : '0']);
      return address;
    },

    async succeeded(subject: AttemptSubject): Promise<void> {
      const [pair, accountFailures] = accountKeys(subject);
      await succeedAccount(redis, [pair!, accountFailures!], []);
      await giveBack(redis, [keys.loginFailuresOfAddress(subject.address)], []);
    },

    /** The attempt got no verdict (a dependency failed): as if it never happened, so an
     *  outage cannot lock anyone out. Such an attempt told its sender nothing. */
    async abandoned(subject: AttemptSubject, startedLock: boolean): Promise<void> {
      await abandonAccount(redis, accountKeys(subject), [startedLock ? '1' : '0']);
      await giveBack(redis, addressKeys(subject), []);
    },

    /** One verification outside sign-in (a password change), from the same budgets:
     *  the account's, then the address's (the account's given back if the address
     *  refuses). */
    async spendCheck(account: string, address: string): Promise<Budget> {
      const accountChecks = [keys.passwordChecksOfAccount(account)];
      const first = budget(await countAll(redis, accountChecks, rates(limits.passwordChecksAccount)));
      if (!first.allowed) return first;
      const second = budget(await countAll(redis, [keys.passwordChecksOfAddress(address)], rates(limits.passwordChecksIp)));
      if (!second.allowed) await giveBack(redis, accountChecks, []);
      return second;
    },
  };
}

export type AttemptCounters = ReturnType<typeof attemptCounters>;
