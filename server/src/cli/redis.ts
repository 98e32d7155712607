import pino from 'pino';
import { loadRedisConfig } from '../config/env';
import { createLogger } from '../logging/logger';
import { connectRedis, createRedis, type Redis } from '../redis/client';
import { redisKeys, type RedisKeys } from '../redis/keys';

/** The API's Redis (REDIS_URL or REDIS_SENTINELS or REDIS_CLUSTER_NODES, REDIS_PREFIX) for a command-line tool that touches the
 *  users' records (auth/user-records.ts): a tool that changes a user's auth state in SQL
 *  goes through them, as the API does. Redis problems are one line on stderr. */
export async function connectCliRedis(): Promise<{ redis: Redis; keys: RedisKeys }> {
  const { redis: config } = loadRedisConfig();
  // Errors only: a Redis that is away is the one line the tool ends with, not a warning more.
  const redis = createRedis(config.topology, config.timeoutMs, createLogger('error', pino.destination(2)));
  await connectRedis(redis, config);
  return { redis, keys: redisKeys(config.prefix) };
}
