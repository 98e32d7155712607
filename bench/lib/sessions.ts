import { randomBytes } from 'node:crypto';
import type { createClient } from 'redis';
import { sessionHandle } from '../../server/dist/auth/session/handle';
import { sessionKeyOf } from '../../server/dist/auth/session/session-id';
import { redisKeys, routingTag } from '../../server/dist/redis/keys';

export type Redis = ReturnType<typeof createClient>;

/** A stored session record as the API wrote it (JSON), used as the template for filler
 *  sessions so they have exactly the real format and size. */
export async function readRecord(redis: Redis, prefix: string, sessionId: string): Promise<Record<string, unknown>> {
  const key = sessionKeyOf(redisKeys(prefix), sessionId);
  const raw = key && (await redis.get(key));
  if (!raw) throw new Error('the bench session has no record in Redis');
  return JSON.parse(raw) as Record<string, unknown>;
}

export interface FillOptions {
  prefix: string;
  template: Record<string, unknown>;
  count: number;
  /** Owner of each filler session (index i → user id). */
  owner: (i: number) => string;
  /** Lifetime of the filler sessions in Redis. */
  ttlMs: number;
  batch?: number;
  onProgress?: (done: number) => void;
}

/** Writes `count` sessions in the API's record format (record under the hashed key, an
 *  entry in the owner's index), pipelined in batches: node-redis sends the commands of
 *  one tick in one write. */
export async function fillSessions(redis: Redis, o: FillOptions): Promise<void> {
  const keys = redisKeys(o.prefix);
  const batch = o.batch ?? 5000;
  const now = Date.now();
  const endsAt = now + o.ttlMs;
  const meta = (o.template.meta ?? {}) as Record<string, unknown>;
  for (let start = 0; start < o.count; start += batch) {
    const end = Math.min(o.count, start + batch);
    const pending: Array<Promise<unknown>> = [];
    const owners = new Set<string>();
    for (let i = start; i < end; i++) {
      const handle = sessionHandle(randomBytes(24).toString('base64url'));
      const userId = o.owner(i);
      owners.add(userId);
      const record = { ...o.template, passport: { user: userId }, meta: { ...meta, createdAt: now, lastSeenAt: now } };
      pending.push(redis.set(keys.session(routingTag(userId), handle), JSON.stringify(record), { PX: o.ttlMs }));
      pending.push(redis.zAdd(keys.userSessions(userId), { score: endsAt, value: handle }));
    }
    for (const userId of owners) pending.push(redis.pExpireAt(keys.userSessions(userId), endsAt));
    await Promise.all(pending);
    o.onProgress?.(end);
  }
}

/** Deletes every key under a prefix (SCAN + UNLINK in batches). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 5000 })) {
    if (keys.length) deleted += await redis.unlink(keys);
  }
  return deleted;
}

export async function countPrefix(redis: Redis, pattern: string): Promise<number> {
  let n = 0;
  for await (const keys of redis.scanIterator({ MATCH: pattern, COUNT: 5000 })) n += keys.length;
  return n;
}
