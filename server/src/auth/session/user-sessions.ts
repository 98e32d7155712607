import { defineScript } from '../../redis/script';
import { deadlines, type SessionMeta, type StoredSession } from './record';
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
const revokeOwned = defineScript(`
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('DEL', KEYS[2])
`);

/** Deleting in slices keeps any one Redis call short even for a user with 10,000
 *  sessions. */
const SLICE = 500;

/** A user's sessions, served from the per-user index (a sorted set scored by expiry):
 *  the cost follows the user's own session count, never the size of the keyspace. */
export function userSessions(store: HashedRedisStore) {
  const { redis, keys, limits } = store;

  /** Handles in the index whose sessions have not yet reached their end time. */
  async function liveHandles(userId: string): Promise<string[]> {
    const index = keys.userSessions(userId);
    const now = Date.now();
    await redis.zRemRangeByScore(index, '-inf', `(${now}`);
    return redis.zRange(index, 0, -1);
  }

  return {
    async list(userId: string): Promise<UserSession[]> {
      const handles = await liveHandles(userId);
      const now = Date.now();
      const sessions: UserSession[] = [];
      const stale: string[] = [];
      for (let i = 0; i < handles.length; i += SLICE) {
        const slice = handles.slice(i, i + SLICE);
        const values = await redis.mGet(slice.map((h) => keys.session(h)));
        values.forEach((raw, j) => {
          const handle = slice[j]!;
          const stored = raw ? (JSON.parse(raw) as StoredSession) : null;
          if (!stored?.meta || stored.passport?.user !== userId) return void stale.push(handle);
          const { idleExpiresAt, expiresAt, endsAt } = deadlines(stored.meta, limits);
          // Past its end but not yet dropped by Redis (TTLs are lazy to the millisecond).
          if (endsAt <= now) return;
          sessions.push({ handle, meta: stored.meta, idleExpiresAt, expiresAt });
        });
      }
      // Entries whose record is gone (deleted by hand, evicted) leave the index too.
      if (stale.length) await redis.zRem(keys.userSessions(userId), stale);
      return sessions.sort((a, b) => b.meta.lastSeenAt - a.meta.lastSeenAt);
    },

    /** True when a live session of this user was ended. */
    async revoke(userId: string, handle: string): Promise<boolean> {
      const deleted = await revokeOwned(redis, [keys.userSessions(userId), keys.session(handle)], [handle]);
      return deleted === 1;
    },

    /** Ends every session of the user except `keep`; returns how many ended. */
    async revokeAll(userId: string, keep?: string): Promise<number> {
      const index = keys.userSessions(userId);
      const handles = (await liveHandles(userId)).filter((h) => h !== keep);
      let revoked = 0;
      for (let i = 0; i < handles.length; i += SLICE) {
        const slice = handles.slice(i, i + SLICE);
        const [deleted] = await redis
          .multi()
          .del(slice.map((h) => keys.session(h)))
          .zRem(index, slice)
          .exec();
        revoked += Number(deleted);
      }
      return revoked;
    },
  };
}

export type UserSessions = ReturnType<typeof userSessions>;
