import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Redis } from '../../redis/client';
import type { RedisKeys } from '../../redis/keys';
import { defineScript } from '../../redis/script';
import { deadlines, type SessionLimits, type StoredSession } from './record';
import { sessionRef, type SessionRef } from './session-id';
import { routingTag } from '../../redis/keys';

type Callback = (err?: unknown, data?: unknown) => void;

const NEW_SESSION = Symbol('cloakroom.newSession');

/** Marks a session object as just created by a sign-in. Only such a session may create
 *  its Redis record; any other save may only update a record that still exists. A
 *  symbol, so it is neither stored nor part of express-session's change detection. */
export function markNewSession(session: object): void {
  (session as Record<symbol, boolean>)[NEW_SESSION] = true;
}

/** True once per new session: its first write creates the record, and any later write
 *  is an ordinary update. */
function takeNewSessionMark(session: object): boolean {
  const marked = (session as Record<symbol, boolean>)[NEW_SESSION] === true;
  delete (session as Record<symbol, boolean>)[NEW_SESSION];
  return marked;
}

/** Writes the record and keeps the owner's index in step, atomically.
 *  NX for a new session; XX otherwise, so a request that started before a logout or a
 *  revocation and saves after it cannot bring the session back (expressjs/session#632).
 *  A new session that takes the owner past `max` sessions pushes the ones closest to
 *  their end (the least recently used) out of the index; the caller deletes their
 *  records (keys of a script are all named in KEYS).
 *  KEYS: session, [user index]. ARGV: value, ttl ms, NX|XX, handle, endsAt, now, max.
 *  Returns {written (0|1), evicted handles…}. */
const writeSession = defineScript(
  'writeSession',
  `
local ok = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], ARGV[3])
if not ok then return {0} end
local reply = {1}
if #KEYS == 2 then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[6])
  if ARGV[3] == 'NX' then
    local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[7])
    if over > 0 then
      for _, handle in ipairs(redis.call('ZRANGE', KEYS[2], 0, over)) do
        if handle ~= ARGV[4] and #reply <= over then
          redis.call('ZREM', KEYS[2], handle)
          table.insert(reply, handle)
        end
      end
    end
  end
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[2], last[2])
end
return reply
`,
);

/** Deletes the record and its index entry. The owner is read from the record itself,
 *  so a destroy needs nothing but the session ID. The index key is built here from the
 *  owner, with the session's own tag: it names the same hash slot as KEYS[1] (an owner's
 *  sessions carry the owner's tag), which Redis Cluster allows for a key not in KEYS.
 *  KEYS: session. ARGV: user-index key prefix of the session's tag, handle.
 *  Returns 0 when there was no record, else the owner's id ('' for none). */
const deleteSession = defineScript(
  'deleteSession',
  `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('DEL', KEYS[1])
local ok, s = pcall(cjson.decode, v)
if ok and type(s) == 'table' and type(s.passport) == 'table' and type(s.passport.user) == 'string' then
  redis.call('ZREM', ARGV[1] .. s.passport.user, ARGV[2])
  return s.passport.user
end
return ''
`,
);

export interface StoreOptions {
  /** Sessions one user may hold (SESSION_MAX_PER_USER). */
  maxPerUser: number;
  /** Told which sessions a new one pushed out (for the owner's audit trail). */
  onEvicted?: (userId: string, handles: string[]) => Promise<void>;
}

/** A session that was ended, and whose it was (null: a record with no user). */
export interface RemovedSession {
  userId: string | null;
}

/** connect-redis's RedisStore, extended: records are keyed by the owner's routing tag
 *  and the SHA-256 handle of the session ID (session-id.ts), carry a TTL that never outlives the idle or absolute limit, are listed
 *  in a per-user index, and cannot be resurrected by a late save. Touch is a no-op:
 *  activity is recorded by the auth layer at most once per touch interval. */
export class HashedRedisStore extends RedisStore {
  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    readonly limits: SessionLimits,
    private readonly options: StoreOptions,
  ) {
    super({ client: redis, prefix: keys.sessionPrefix, disableTouch: true });
  }

  override async get(sid: string, cb?: (err: unknown, session?: SessionData | null) => void): Promise<unknown> {
    try {
      const ref = sessionRef(sid);
      const session = ref ? await this.read(ref) : null;
      cb?.(null, session as SessionData | null);
      return session;
    } catch (err) {
      if (!cb) throw err;
      cb(err);
    }
    return undefined;
  }

  /** The record behind a session, or null. Used by the read-only path. */
  async read(ref: SessionRef): Promise<StoredSession | null> {
    const raw = await this.redis.get(this.keys.session(ref.tag, ref.handle));
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

  private async write(sid: string, sess: StoredSession): Promise<void> {
    const ref = sessionRef(sid);
    const isNew = takeNewSessionMark(sess);
    const userId = typeof sess.passport?.user === 'string' ? sess.passport.user : undefined;
    // Only sign-in creates records, with an ID tagged for its user (session-start.ts).
    if (isNew && (!ref || (userId !== undefined && routingTag(userId) !== ref.tag))) throw new Error("new session ID without its owner's routing tag");
    // An untagged ID names no record (an ID from before tags): nothing to update.
    if (!ref) return;
    const { tag, handle } = ref;
    const now = Date.now();
    // A pending sign-in (no user yet) lives only as long as its second step may take.
    const endsAt = sess.pending ? sess.pending.expiresAt : sess.meta ? deadlines(sess.meta, this.limits).endsAt : now + this.limits.idleTimeoutMs;
    if (endsAt <= now) {
      if (!isNew) await this.remove(ref);
      return;
    }
    const keys = [this.keys.session(tag, handle), ...(userId && routingTag(userId) === tag ? [this.keys.userSessions(userId)] : [])];
    const [written, ...evicted] = (await writeSession(this.redis, keys, [
      JSON.stringify(sess),
      String(endsAt - now),
      isNew ? 'NX' : 'XX',
      handle,
      String(endsAt),
      String(now),
      String(this.options.maxPerUser),
    ])) as [number, ...string[]];
    // A new ID that already exists would mean a broken random source: refuse loudly.
    if (isNew && written !== 1) throw new Error('session ID collision');
    // An existing session that is gone was ended by someone else: the late write is
    // dropped on purpose, and the next request finds no session.
    if (userId && evicted.length) {
      await this.redis.del(evicted.map((h) => this.keys.session(tag, h)));
      await this.options.onEvicted?.(userId, evicted);
    }
  }

  override async destroy(sid: string, cb?: Callback): Promise<unknown> {
    try {
      const ref = sessionRef(sid);
      if (ref) await this.remove(ref);
      cb?.();
    } catch (err) {
      if (!cb) throw err;
      cb(err);
    }
    return undefined;
  }

  /** Ends this session; null when there was none. */
  async remove(ref: SessionRef): Promise<RemovedSession | null> {
    const removed = await deleteSession(this.redis, [this.keys.session(ref.tag, ref.handle)], [this.keys.userSessionsOfTag(ref.tag), ref.handle]);
    return typeof removed === 'string' ? { userId: removed || null } : null;
  }

  override touch(_sid: string, _sess: SessionData, cb?: Callback): Promise<unknown> {
    cb?.();
    return Promise.resolve(undefined);
  }
}
