import { createTestApp, serve, type TestApp } from '@cloakroom/server/testing';
import { startRedisServer, type RedisServer } from './redis-server';

/** A Redis of the test's own, an app on it, served on a real port. */
export interface FaultStack {
  redis: RedisServer;
  kit: TestApp;
  base: string;
  close(): Promise<void>;
}

export async function faultStack(options: { persistent?: boolean; env?: Record<string, string> } = {}): Promise<FaultStack> {
  const redis = await startRedisServer({ persistent: options.persistent ?? false });
  const kit = await createTestApp({ env: { ...options.env, REDIS_URL: redis.url } });
  const http = await serve(kit.handler);
  return {
    redis,
    kit,
    base: http.base,
    async close() {
      redis.resume();
      await http.close();
      await kit.close();
      await redis.stop();
    },
  };
}

/** Collects uncaught errors and unhandled rejections while a test file runs: a crash
 *  that Jest would otherwise report elsewhere, or not at all. */
export function watchForCrashes(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const record = (err: unknown) => errors.push(err);
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', record);
      process.off('uncaughtException', record);
    },
  };
}
