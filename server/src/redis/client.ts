import { createClient } from 'redis';
import type { Logger } from 'pino';
import { redactUrl, StartupError } from '../startup';
import { withDeadlines } from './deadline';
import { explainRedisFailure, isHandshakeRefusal } from './startup-error';

function clientFor(url: string, timeoutMs: number) {
  // node-redis's own command timeout (5 s by default) stops counting once a command is
  // on the socket, so withDeadlines (deadline.ts) bounds every command instead, written
  // or not; 0 turns the built-in one off (it cost an AbortSignal and a timer per command).
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: Math.max(timeoutMs, 1000),
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500),
    },
  });
}

export type Redis = ReturnType<typeof clientFor>;

/** A node-redis client that fails fast instead of queueing: while Redis is away every
 *  command rejects at once (no offline queue), a command that gets no answer gives up
 *  after `timeoutMs` and, while Redis stays silent, commands are not even sent
 *  (deadline.ts), and reconnection is retried every half second at most so service
 *  resumes by itself soon after Redis returns. */
export function createRedis(url: string, timeoutMs: number, logger: Logger): Redis {
  const client = clientFor(url, timeoutMs);
  // Without a listener node-redis's error events would crash the process.
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) logger.warn({ err: { message: err.message } }, 'redis connection lost; session routes answer 503 until it returns');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info('redis connection restored');
    down = false;
  });
  return withDeadlines(client, { timeoutMs, logger });
}

/** Connects, or fails within `withinMs` (at once when Redis refuses the handshake) with a
 *  one-line StartupError naming the cause (redis/startup-error.ts). */
export async function connectRedis(client: Redis, url: string, withinMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onError: ((err: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    let lastError: Error | undefined;
    timer = setTimeout(() => reject(lastError ?? new Error('timed out')), withinMs);
    onError = (err) => {
      lastError = err;
      if (isHandshakeRefusal(err)) reject(err);
    };
    client.on('error', onError);
  });
  try {
    await Promise.race([client.connect(), failed]);
  } catch (err) {
    client.destroy();
    throw new StartupError(explainRedisFailure(redactUrl(url), url, err as Error));
  } finally {
    clearTimeout(timer);
    client.off('error', onError!);
  }
}
