/** Every Redis key the API writes, in one place. All live under one prefix so that
 *  several apps (or test runs) can share a Redis without touching each other. No key
 *  holds an email: accounts are named by hashes. */
export function redisKeys(prefix: string) {
  return {
    /** A session record. The suffix is the session's public handle, a SHA-256 of the
     *  session ID: a dump of Redis yields no usable cookie. */
    session: (handle: string) => `${prefix}sess:${handle}`,
    /** Sorted set of a user's session handles scored by expiry (ms since epoch). */
    userSessions: (userId: string) => `${prefix}user-sessions:${userId}`,
    userSessionsPrefix: `${prefix}user-sessions:`,
    /** Rate-limit counters kept by express-rate-limit's Redis store (it adds the key). */
    rateLimit: (name: string) => `${prefix}rl:${name}:`,
    rateLimitPrefix: `${prefix}rl:`,
    /** Failed-login counter and lock of one (account, client address or known device)
     *  pair; the suffix is a hash. */
    lockout: (pairHash: string) => `${prefix}lockout:${pairHash}`,
    /** Wrong-password answers in the current window (auth/attempts.ts): per account
     *  (hashed; the ceiling) and per client address. */
    loginFailuresOfAccount: (accountKey: string) => `${prefix}rl:login-account:${accountKey}`,
    loginFailuresOfAddress: (addressKey: string) => `${prefix}rl:login-ip:${addressKey}`,
    /** Password verifications of any outcome in the current window (the hashing budget). */
    passwordChecksOfAccount: (accountKey: string) => `${prefix}rl:checks-account:${accountKey}`,
    passwordChecksOfAddress: (addressKey: string) => `${prefix}rl:checks-ip:${addressKey}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
