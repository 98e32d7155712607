import { randomUUID } from 'node:crypto';
import type { UsersRepository } from '../db/users';
import type { Redis } from '../redis/client';
import type { RedisKeys } from '../redis/keys';
import { defineScript } from '../redis/script';
import { parseUserState, serializeUserState, userStateOf, type UserState } from './user-state';

/**
 * The user's auth state in Redis (`keys.userRecord`, in the slot of the user's sessions),
 * so that a session check touches no SQL in the steady state. The database stays the
 * source of truth; the record is a copy that is never stale (docs/architecture.md,
 * "The user record"):
 *
 * - A record is a hash: `data` (the state, user-state.ts), `gen` (a random token naming
 *   one refill attempt) and `changing` (how many changes are under way).
 * - Every write of a field the record holds goes through `change(userId, write)`:
 *   first the record is replaced by a "changing" mark (no data, no token) and Redis must
 *   confirm it, or nothing is written and the operation fails; then the SQL write; then
 *   the mark is lifted. While it stands, readers read SQL and do not refill. A mark
 *   left behind by a failure expires on its own (CHANGING_TTL_MS): reads go to SQL
 *   until then, so a failure costs speed, never a stale answer.
 * - A reader that finds no record takes a fresh token (`gen`) before it reads SQL, and
 *   writes the row back only if the token is still there. A change (its mark removes the
 *   token) or a drop (the whole key goes) between the two makes the refill a no-op: a
 *   row read before a change can never be written after it.
 *
 * What this does not cover: an UPDATE made by hand in SQL, outside the app. Such a
 * change shows when the record expires (RECORD_TTL_MS) or after `npm run
 * user-records:drop` (docs/commands.md).
 */

/** How long a record lives without a change: it bounds Redis memory for users who left,
 *  and how long a hand edit in SQL can go unseen. A refill costs one SQL read. */
export const RECORD_TTL_MS = 60 * 60 * 1000;
/** A "changing" mark outlives any SQL write the app makes (statements time out after
 *  5 s on PostgreSQL, 0.5 s of lock wait on SQLite); it only matters if lifting it failed. */
export const CHANGING_TTL_MS = 60 * 1000;
/** A refill token left by a reader that never came back. */
const CLAIM_TTL_MS = 60 * 1000;

/** The record as one call reads it. KEYS: record. ARGV: fresh token, claim ttl ms.
 *  Returns {'hit', data} | {'miss', token to refill with} | {'changing'}. */
export const RECORD_READ_LUA = `
local function readRecord(key, token, ttl)
  local h = redis.call('HMGET', key, 'data', 'gen', 'changing')
  if h[3] and tonumber(h[3]) > 0 then return {'changing'} end
  if h[1] then return {'hit', h[1]} end
  if h[2] then return {'miss', h[2]} end
  redis.call('HSET', key, 'gen', token)
  redis.call('PEXPIRE', key, ttl)
  return {'miss', token}
end
`;

const readRecord = defineScript(
  'readRecord',
  `${RECORD_READ_LUA}
return readRecord(KEYS[1], ARGV[1], ARGV[2])
`,
);

/** Writes the state read from SQL, only if the reader's token is still the record's.
 *  KEYS: record. ARGV: token, data, ttl ms. Returns 1 when written. */
const refill = defineScript(
  'refill',
  `
if redis.call('HGET', KEYS[1], 'gen') ~= ARGV[1] or redis.call('HEXISTS', KEYS[1], 'changing') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`,
);

/** Before a change: the data and any refill token go, the mark counts one more change.
 *  KEYS: record. ARGV: mark ttl ms. */
const beginChange = defineScript(
  'beginChange',
  `
redis.call('HDEL', KEYS[1], 'data', 'gen')
redis.call('HINCRBY', KEYS[1], 'changing', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`,
);

/** After a change: one change fewer; with none left the key goes, and the next read
 *  refills from SQL. KEYS: record. */
const endChange = defineScript(
  'endChange',
  `
if redis.call('HINCRBY', KEYS[1], 'changing', -1) <= 0 then redis.call('DEL', KEYS[1]) end
return 1
`,
);

/** What a read of the record found (see RECORD_READ_LUA). */
export type RecordRead = { kind: 'hit'; data: string } | { kind: 'miss'; token: string } | { kind: 'changing' };

export function recordReadOf(reply: unknown): RecordRead {
  const [kind, value] = reply as [string, string | undefined];
  if (kind === 'hit') return { kind, data: value! };
  if (kind === 'miss') return { kind, token: value! };
  return { kind: 'changing' };
}

/** The arguments RECORD_READ_LUA's readRecord takes after the key. */
export const recordReadArgs = (): string[] => [randomUUID(), String(CLAIM_TTL_MS)];

export function userRecords(redis: Redis, keys: RedisKeys, users: UsersRepository) {
  /** The steady state, without a script: a plain HMGET (cheaper for Redis than EVALSHA,
   *  and sent in the same write as the session's GET by the read-only path). Anything
   *  but a settled record (missing, changing) is left to `get`'s script. */
  async function peek(userId: string): Promise<RecordRead | undefined> {
    const [data, changing] = await redis.hmGet(keys.userRecord(userId), ['data', 'changing']);
    return data && !changing ? { kind: 'hit', data } : undefined;
  }

  async function fromDatabase(userId: string, read: RecordRead): Promise<UserState | undefined> {
    const row = await users.findById(userId);
    const state = row && userStateOf(row);
    if (state && read.kind === 'miss') await refill(redis, [keys.userRecord(userId)], [read.token, serializeUserState(state), String(RECORD_TTL_MS)]);
    return state;
  }

  return {
    peek,

    /** The user's auth state: from the record, or from SQL (refilling the record) when
     *  it is missing; undefined when the user does not exist. `prefetched`: the record
     *  as the caller already read it (in the same round trip as the session). */
    async get(userId: string, prefetched?: RecordRead): Promise<UserState | undefined> {
      const read = prefetched ?? recordReadOf(await readRecord(redis, [keys.userRecord(userId)], recordReadArgs()));
      if (read.kind !== 'hit') return fromDatabase(userId, read);
      const state = parseUserState(read.data);
      if (state?.id === userId) return state;
      // Not a record of this format (written by another version): drop it, read afresh.
      await redis.del(keys.userRecord(userId));
      return fromDatabase(userId, recordReadOf(await readRecord(redis, [keys.userRecord(userId)], recordReadArgs())));
    },

    /**
     * THE way to write any field of the user's auth state (user-state.ts) in SQL:
     * `write` runs between the record's "changing" mark and its removal. The mark must
     * be confirmed by Redis first: if Redis fails, `write` never runs and the operation
     * fails (503). If lifting the mark fails, the error is thrown too (the write has
     * happened; the mark expires on its own and reads go to SQL until then).
     */
    async change<T>(userId: string, write: () => Promise<T>): Promise<T> {
      const key = keys.userRecord(userId);
      await beginChange(redis, [key], [String(CHANGING_TTL_MS)]);
      let result: T;
      try {
        result = await write();
      } catch (err) {
        await endChange(redis, [key], []).catch(() => undefined);
        throw err;
      }
      await endChange(redis, [key], []);
      return result;
    },

    /** Drops one user's record (after an edit made by hand in SQL, say): the next read
     *  refills it. A refill under way is cancelled with it (its token goes too). */
    forget: (userId: string) => dropUserRecords(redis, keys, userId),
  };
}

/** Drops one user's record, or every user record under this app's prefix (the operator's
 *  `npm run user-records:drop`); returns how many were there. Needs no database: each
 *  is refilled from SQL on its user's next request. */
export async function dropUserRecords(redis: Redis, keys: RedisKeys, userId?: string): Promise<number> {
  if (userId !== undefined) return redis.del(keys.userRecord(userId));
  let dropped = 0;
  const match = `${keys.userRecordPrefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  for await (const batch of redis.scanIterator({ MATCH: match, COUNT: 500 })) {
    if (batch.length) dropped += await redis.unlink(batch);
  }
  return dropped;
}

export type UserRecords = ReturnType<typeof userRecords>;
