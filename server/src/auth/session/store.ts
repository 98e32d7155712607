import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Redis } from '../../redis/client';
import type { RedisKeys } from '../../redis/keys';
import { defineScript } from '../../redis/script';
import { sessionHandle } from './handle';
import { deadlines, type SessionLimits, type StoredSession } from './record';

type Callback = (err?: unknown, data?: unknown) => void;

const NEW_SESSION = Symbol('cloakroom.newSession');

/** Marks a session object as just created (after login's regenerate). Only such a
 *  session may create its Redis record; any other save may only update a record that
 *  still exists. A symbol, so it is neither stored nor part of express-session's
 *  change detection. */
export function markNewSession(session: object): void {
  (session as Record<symbol, boolean>)[NEW_SESSION] = true;
}

/** True once per new session: its first write creates the record, and any later save in
 *  the same request (express-session saves again after passport's own save, because
 *  passport's regenerate leaves the new session unwrapped) is an ordinary update. */
function takeNewSessionMark(session: object): boolean {
  const marked = (session as Record<symbol, boolean>)[NEW_SESSION] === true;
  delete (session as Record<symbol, boolean>)[NEW_SESSION];
  return marked;
}

/** Writes the record and keeps the owner's index in step, atomically.
 *  NX for a new session; XX otherwise, so a request that started before a logout or a
 *  revocation and saves after it cannot bring the session back (expressjs/session#632).
 *  KEYS: session, [user index]. ARGV: value, ttl ms, NX|XX, handle, endsAt, now. */
const writeSession = defineScript(`
local ok = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], ARGV[3])
if not ok then return 0 end
if #KEYS == 2 then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[6])
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[2], last[2])
end
return 1
`);

/** Deletes the record and its index entry. The owner is read from the record itself,
 *  so a destroy needs nothing but the session ID.
 *  KEYS: session. ARGV: user-index key prefix, handle. */
const deleteSession = defineScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('DEL', KEYS[1])
local ok, s = pcall(cjson.decode, v)
if ok and type(s) == 'table' and type(s.passport) == 'table' and type(s.passport.user) == 'string' then
  redis.call('ZREM', ARGV[1] .. s.passport.user, ARGV[2])
end
return 1
`);

/** connect-redis's RedisStore, extended: records are keyed by the SHA-256 handle of the
 *  session ID, carry a TTL that never outlives the idle or absolute limit, are listed
 *  in a per-user index, and cannot be resurrected by a late save. Touch is a no-op:
 *  activity is recorded by the auth layer at most once per touch interval. */
export class HashedRedisStore extends RedisStore {
  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    readonly limits: SessionLimits,
  ) {
    super({ client: redis, prefix: keys.session(''), disableTouch: true });
  }

  override get(sid: string, cb?: (err: unknown, session?: SessionData | null) => void): Promise<unknown> {
    return super.get(sessionHandle(sid), cb as Callback);
  }

  /** The record behind a handle, or null. Used by the read-only path. */
  async read(handle: string): Promise<StoredSession | null> {
    const raw = await this.redis.get(this.keys.session(handle));
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  }

  override async set(sid: string, sess: SessionData, cb?: Callback): Promise<unknown> {
    try {
      await this.write(sid, sess);
      cb?.();
    } catch (err) {
      if (!cb) throw err;
      cb(err);
    }
    return undefined;
  }

  private async write(sid: string, sess: StoredSession & object): Promise<void> {
    const handle = sessionHandle(sid);
    const now = Date.now();
    const endsAt = sess.meta ? deadlines(sess.meta, this.limits).endsAt : now + this.limits.idleTimeoutMs;
    const isNew = takeNewSessionMark(sess);
    if (endsAt <= now) {
      if (!isNew) await this.remove(handle);
      return;
    }
    const userId = typeof sess.passport?.user === 'string' ? sess.passport.user : undefined;
    const keys = [this.keys.session(handle), ...(userId ? [this.keys.userSessions(userId)] : [])];
    const written = await writeSession(this.redis, keys, [
      JSON.stringify(sess),
      String(endsAt - now),
      isNew ? 'NX' : 'XX',
      handle,
      String(endsAt),
      String(now),
    ]);
    // A new ID that already exists would mean a broken random source: refuse loudly.
    if (isNew && written !== 1) throw new Error('session ID collision');
    // An existing session that is gone was ended by someone else: the late write is
    // dropped on purpose, and the next request finds no session.
  }

  override async destroy(sid: string, cb?: Callback): Promise<unknown> {
    try {
      await this.remove(sessionHandle(sid));
      cb?.();
    } catch (err) {
      if (!cb) throw err;
      cb(err);
    }
    return undefined;
  }

  /** Ends the session with this handle; false when there was none. */
  async remove(handle: string): Promise<boolean> {
    const removed = await deleteSession(this.redis, [this.keys.session(handle)], [this.keys.userSessionsPrefix, handle]);
    return removed === 1;
  }

  override touch(_sid: string, _sess: SessionData, cb?: Callback): Promise<unknown> {
    cb?.();
    return Promise.resolve(undefined);
  }
}
