import type { UserRow } from '../../db/users';
import type { SecurityEvents } from '../../events/security-events';
import { routingTag } from '../../redis/keys';
import { defineScript } from '../../redis/script';
import type { ClientContext } from '../client';
import { credentialStillValid, deadlines, type SessionMeta, type StoredSession } from './record';
import type { HashedRedisStore } from './store';

export interface UserSession {
  handle: string;
  meta: SessionMeta;
  /** When it ends if unused (idle) and at the latest (absolute). */
  idleExpiresAt: number;
  expiresAt: number;
}

/** Ends one session of this user. Only a handle in the user's own index counts, so a
 *  user cannot end someone else's session by guessing handles.
 *  KEYS: user index, session. ARGV: handle. */
const revokeOwned = defineScript(
  'revokeOwned',
  `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('DEL', KEYS[2])
`,
);

/** Deleting in slices keeps any one Redis call short even for a user with 10,000
 *  sessions. */
const SLICE = 500;

/**
 * A user's sessions (ASVS 7.5.2, 7.4.3, 7.4.5), served from the per-user index (a sorted
 * set scored by expiry): the cost follows the user's own session count, never the size
 * of the keyspace. Ending sessions on the user's own request (`revoke`,
 * `revokeOthers`) writes their audit trail here; `revokeAll` is for actions that record
 * an event of their own (a password change, an admin).
 */
export function userSessions(store: HashedRedisStore, events: SecurityEvents) {
  const { redis, keys, limits } = store;

  /** Handles in the index whose sessions have not yet reached their end time. */
  async function liveHandles(userId: string): Promise<string[]> {
    const index = keys.userSessions(userId);
    await redis.zRemRangeByScore(index, '-inf', `(${Date.now()}`);
    return redis.zRange(index, 0, -1);
  }

  async function revokeAll(userId: string, keep?: string): Promise<number> {
    const index = keys.userSessions(userId);
    const handles = (await liveHandles(userId)).filter((h) => h !== keep);
    let revoked = 0;
    for (let i = 0; i < handles.length; i += SLICE) {
      const slice = handles.slice(i, i + SLICE);
      const [deleted] = await redis
        .multi()
        .del(slice.map((h) => keys.session(routingTag(userId), h)))
        .zRem(index, slice)
        .exec();
      revoked += Number(deleted);
    }
    return revoked;
  }

  return {
    /** The user's live sessions, most recently used first. A session bound to a
     *  credential the user no longer has is dead: it is not listed, and goes. */
    async list(user: Pick<UserRow, 'id' | 'credentialVersion' | 'passwordChangedAt'>): Promise<UserSession[]> {
      const handles = await liveHandles(user.id);
      const now = Date.now();
      const sessions: UserSession[] = [];
      const stale: string[] = [];
      for (let i = 0; i < handles.length; i += SLICE) {
        const slice = handles.slice(i, i + SLICE);
        const values = await redis.mGet(slice.map((h) => keys.session(routingTag(user.id), h)));
        values.forEach((raw, j) => {
          const handle = slice[j]!;
          const stored = raw ? (JSON.parse(raw) as StoredSession) : null;
          if (!stored?.meta || stored.passport?.user !== user.id || !credentialStillValid(stored.meta, user)) return void stale.push(handle);
          const { idleExpiresAt, expiresAt, endsAt } = deadlines(stored.meta, limits);
          // Past its end but not yet dropped by Redis (TTLs are lazy to the millisecond).
          if (endsAt <= now) return;
          sessions.push({ handle, meta: stored.meta, idleExpiresAt, expiresAt });
        });
      }
      // Entries whose record is gone (deleted by hand, evicted) or dead leave the index.
      if (stale.length)
        await redis
          .multi()
          .zRem(keys.userSessions(user.id), stale)
          .del(stale.map((h) => keys.session(routingTag(user.id), h)))
          .exec();
      return sessions.sort((a, b) => b.meta.lastSeenAt - a.meta.lastSeenAt);
    },

    /** Ends one of the user's sessions at their own request. False when the handle names
     *  no live session of this user (someone else's, or gone): the caller cannot tell
     *  which. */
    async revoke(userId: string, handle: string, audit: { client: ClientContext; current: boolean }): Promise<boolean> {
      const revoked = (await revokeOwned(redis, [keys.userSessions(userId), keys.session(routingTag(userId), handle)], [handle])) === 1;
      if (revoked) await events.record(userId, 'session_revoked', audit.client, { session: handle, current: audit.current });
      return revoked;
    },

    /** Ends every session of the user but `keep`, at their own request. */
    async revokeOthers(userId: string, keep: string, client: ClientContext): Promise<number> {
      const revoked = await revokeAll(userId, keep);
      if (revoked) await events.record(userId, 'session_revoked', client, { count: revoked, allOthers: true });
      return revoked;
    },

    /** Ends every session of the user except `keep`; returns how many ended. The caller
     *  records why. */
    revokeAll,
  };
}

export type UserSessions = ReturnType<typeof userSessions>;
