import { createClient } from 'redis';
import type { Logger } from 'pino';
import { redactUrl, StartupError } from '../startup';
import { withDeadlines } from './deadline';

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

/** Connects, or fails within `withinMs` with a message that says how to start Redis. */
export async function connectRedis(client: Redis, url: string, withinMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), withinMs);
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } catch (err) {
    client.destroy();
    throw new StartupError(
      `Redis is not answering at ${redactUrl(url)} (${(err as Error).message}). Start it with \`docker compose up redis\` or \`redis-server\`, or set REDIS_URL.`,
    );
  } finally {
    clearTimeout(timer);
  }
}
