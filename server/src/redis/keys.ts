import { createHash } from 'node:crypto';

/** The hash-slot tag of everything that belongs to one user: 4 hex digits of SHA-256 of
 *  the user's ID. Keys that a script or a pipeline touches together (a session, its
 *  owner's index, the owner's auth record) carry the same `{tag}`, so on Redis Cluster
 *  they live in one slot and one node (no CROSSSLOT), while 65,536 tags still spread
 *  users evenly over the slots. Derived, never stored: any instance computes it. */
export function routingTag(userId: string): string {
  return createHash('sha256').update(userId).digest('hex').slice(0, 4);
}

/** The `{tag}` part of a key: Redis Cluster hashes only what is between the braces. */
const slot = (tag: string) => `{${tag}}`;

/** Every Redis key the API writes, in one place. All live under one prefix so that
 *  several apps (or test runs) can share a Redis without touching each other. No key
 *  holds an email: accounts are named by hashes.
 *
 *  Keys are designed for Redis Cluster: every script and MULTI touches keys of one hash
 *  slot only (docs/architecture.md, "Redis keys and hash slots"). A user's sessions,
 *  session index and auth record carry the user's routing tag; the sign-in counters of
 *  an account (its lockout pairs, wrong-password count, verification budget) carry the
 *  tag of the account's hash; those of a client address the tag of the address's hash.
 *  Single-key counters (rate-limit-redis) need no tag. */
export function redisKeys(prefix: string) {
  return {
    /** A session record. `tag` is the owner's routing tag, carried in the session ID
     *  (auth/session/session-id.ts); the suffix is the session's public handle, a
     *  SHA-256 of the session ID: a dump of Redis yields no usable cookie. */
    session: (tag: string, handle: string) => `${prefix}sess:${slot(tag)}:${handle}`,
    sessionPrefix: `${prefix}sess:`,
    /** Sorted set of a user's session handles scored by expiry (ms since epoch). */
    userSessions: (userId: string) => `${prefix}user-sessions:${slot(routingTag(userId))}:${userId}`,
    /** The index key of a user of this tag is this plus the user's ID (the session
     *  store's delete script finds the owner in the record). */
    userSessionsOfTag: (tag: string) => `${prefix}user-sessions:${slot(tag)}:`,
    userSessionsPrefix: `${prefix}user-sessions:`,
    /** Wrong second-factor codes sent with one pending sign-in (by its handle); the
     *  pending sign-in ends at the fifth. */
    pendingCodeFailures: (handle: string) => `${prefix}rl:pending-codes:${handle}`,
    /** The user's auth state as the session check needs it (existence, role, credential
     *  version, public fields), kept beside their sessions in the same slot. */
    userRecord: (userId: string) => `${prefix}user:${slot(routingTag(userId))}:${userId}`,
    userRecordPrefix: `${prefix}user:`,
    /** The mail outbox (mail/outbox.ts): a sorted set of mail ids scored by when each is
     *  due, and one sealed record per mail. One hash tag puts them in one slot, so the
     *  claim script may touch both on Redis Cluster. */
    mailOutbox: `${prefix}mail:{outbox}:due`,
    mailJob: (id: string) => `${prefix}mail:{outbox}:job:${id}`,
    /** Rate-limit counters kept by express-rate-limit's Redis store (it adds the key). */
    rateLimit: (name: string) => `${prefix}rl:${name}:`,
    rateLimitPrefix: `${prefix}rl:`,
    /** Failed-login counter and lock of one (account, client address or known device)
     *  pair; the suffix is a hash. In the account's slot: the sign-in script that reads
     *  it also counts the account's failures. */
    lockout: (accountKey: string, pairHash: string) => `${prefix}lockout:${slot(routingTag(accountKey))}:${pairHash}`,
    lockoutPrefix: `${prefix}lockout:`,
    /** Wrong-password answers in the current window (auth/attempts.ts): per account
     *  (hashed; the ceiling) and per client address. */
    loginFailuresOfAccount: (accountKey: string) => `${prefix}rl:login-account:${slot(routingTag(accountKey))}:${accountKey}`,
    loginFailuresOfAddress: (addressKey: string) => `${prefix}rl:login-ip:${slot(routingTag(addressKey))}:${addressKey}`,
    /** Password verifications of any outcome in the current window (the hashing budget). */
    passwordChecksOfAccount: (accountKey: string) => `${prefix}rl:checks-account:${slot(routingTag(accountKey))}:${accountKey}`,
    passwordChecksOfAddress: (addressKey: string) => `${prefix}rl:checks-ip:${slot(routingTag(addressKey))}:${addressKey}`,
    /** A WebAuthn challenge waiting for its answer (passkeys/challenges.ts): one per
     *  ceremony and binding (a session's public handle, or the hash of the passkey sign-in
     *  cookie), read and deleted in one step, gone after 5 minutes. */
    webauthnChallenge: (ceremony: string, binding: string) => `${prefix}webauthn:${ceremony}:${binding}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
