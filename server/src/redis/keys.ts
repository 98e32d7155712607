/** Every Redis key the API writes, in one place. All live under one prefix so that
 *  several apps (or test runs) can share a Redis without touching each other. */
export function redisKeys(prefix: string) {
  return {
    /** A session record. The suffix is the session's public handle, a SHA-256 of the
     *  session ID: a dump of Redis yields no usable cookie. */
    session: (handle: string) => `${prefix}sess:${handle}`,
    /** Sorted set of a user's session handles scored by expiry (ms since epoch). */
    userSessions: (userId: string) => `${prefix}user-sessions:${userId}`,
    userSessionsPrefix: `${prefix}user-sessions:`,
    /** Rate-limit counters (express-rate-limit's Redis store adds its own suffix). */
    rateLimit: (name: string) => `${prefix}rl:${name}:`,
    rateLimitPrefix: `${prefix}rl:`,
    /** Failed-login counter and lock of one (account, client address) pair; the suffix
     *  is a hash, so no email or address appears in Redis. */
    lockout: (pairHash: string) => `${prefix}lockout:${pairHash}`,
    /** Everything this app wrote, for tests that clean up after themselves. */
    all: `${prefix}*`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
