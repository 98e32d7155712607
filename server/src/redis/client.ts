import { createClient, createCluster, createSentinel } from 'redis';
import type { RedisTopology } from '../config/env';
import type { RedisAccess, RedisCredentials } from '../config/redis-access';
import type { Logger } from 'pino';
import { redactUrl, StartupError } from '../startup';
import { withDeadlines } from './deadline';
import { explainRedisFailure, isHandshakeRefusal } from './startup-error';

/** Every connection fails fast: no offline queue, reconnection every half second at most.
 *  `credentials` and `tls` (REDIS_PASSWORD and the rest, config/redis-access.ts) are sent
 *  by node-redis on every connection it opens, reconnections and discovered nodes included. */
const nodeOptions = (timeoutMs: number, credentials?: RedisCredentials, tls?: RedisAccess['tls']) => ({
  disableOfflineQueue: true,
  ...credentials,
  socket: {
    connectTimeout: Math.max(timeoutMs, 1000),
    reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500),
    ...(tls ? { tls: true as const, ...(tls.ca ? { ca: tls.ca } : {}) } : {}),
  },
});

// node-redis's own command timeout (5 s by default) stops counting once a command is
// on the socket, so withDeadlines (deadline.ts) bounds every command instead, written
// or not; 0 turns the built-in one off (it cost an AbortSignal and a timer per command).
const commandOptions = { timeout: 0 };

function clientFor(url: string, timeoutMs: number, tls?: RedisAccess['tls']) {
  // The URL says whether to use TLS (rediss://) and carries the credentials; only a
  // private CA (REDIS_TLS_CA_FILE) comes from elsewhere.
  const options = nodeOptions(timeoutMs);
  return createClient({ url, commandOptions, ...options, socket: { ...options.socket, ...(tls?.ca ? { ca: tls.ca } : {}) } });
}

/** The API's Redis, whatever the topology. Typed as node-redis's single-server client:
 *  the Sentinel and Cluster clients have the same command methods (a Cluster routes each
 *  to the node of its first key); the few calls that differ (a raw command, a scan over
 *  every master) go through `sendRaw` and `scanKeys` below. */
export type Redis = ReturnType<typeof clientFor>;

const topologies = new WeakMap<object, RedisTopology['kind']>();

/** A raw command, routed on a Cluster to the node of `key` (rate-limit-redis). */
export function sendRaw(redis: Redis, key: string | undefined, args: string[], readOnly = false): Promise<unknown> {
  const kind = topologies.get(redis) ?? 'single';
  if (kind === 'cluster') return (redis as unknown as ClusterClient).sendCommand(key, readOnly, args);
  if (kind === 'sentinel') return (redis as unknown as SentinelClient).sendCommand(readOnly, args);
  return redis.sendCommand(args);
}

/** SCAN over the whole keyspace: every master of a Cluster in turn. */
export async function* scanKeys(redis: Redis, match: string, count = 500): AsyncGenerator<string[]> {
  if (topologies.get(redis) !== 'cluster') return yield* redis.scanIterator({ MATCH: match, COUNT: count });
  const cluster = redis as unknown as ClusterClient;
  for (const master of cluster.masters) {
    const node = await cluster.nodeClient(master);
    yield* node.scanIterator({ MATCH: match, COUNT: count });
  }
}

type ClusterClient = ReturnType<typeof createCluster>;
type SentinelClient = ReturnType<typeof createSentinel>;

function topologyClient(topology: RedisTopology, timeoutMs: number): Redis {
  const access = topology.access;
  if (topology.kind === 'single') return clientFor(topology.url, timeoutMs, access?.tls);
  if (topology.kind === 'cluster') {
    const cluster = createCluster({
      rootNodes: topology.nodes.map((socket) => ({ socket })),
      // The defaults of every node's client, the root nodes' and the discovered ones'.
      defaults: nodeOptions(timeoutMs, access?.nodes, access?.tls),
      commandOptions,
      // After a master fails, ask for the new topology 1 s after the first reconnect
      // attempt (5 s by default): the promoted replica is served as soon as it exists.
      topologyRefreshOnReconnectionAttemptStrategy: 1000,
    });
    return cluster as unknown as Redis;
  }
  const sentinel = createSentinel({
    name: topology.name,
    sentinelRootNodes: topology.sentinels,
    // The master and replicas the Sentinels name, and the Sentinels themselves: each has
    // credentials of its own (a Sentinel's `requirepass` is not its master's).
    nodeClientOptions: nodeOptions(timeoutMs, access?.nodes, access?.tls),
    sentinelClientOptions: nodeOptions(timeoutMs, access?.sentinels, access?.tls),
    commandOptions,
    // Sentinels announce a promotion; polling them too catches a missed announcement.
    scanInterval: 2000,
    passthroughClientErrorEvents: true,
  });
  return sentinel as unknown as Redis;
}

/** A node-redis client that fails fast instead of queueing: while Redis is away every
 *  command rejects at once (no offline queue), a command that gets no answer gives up
 *  after `timeoutMs` and, while Redis stays silent, commands are not even sent
 *  (deadline.ts), and reconnection is retried every half second at most so service
 *  resumes by itself soon after Redis returns. */
export function createRedis(topology: RedisTopology, timeoutMs: number, logger: Logger): Redis {
  const client = topologyClient(topology, timeoutMs);
  // Without a listener node-redis's error events would crash the process.
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) logger.warn({ err: { message: err.message } }, 'redis connection lost; session routes answer 503 until it returns');
    down = true;
  });
  const restored = () => {
    if (down) logger.info('redis connection restored');
    down = false;
  };
  client.on('ready', restored);
  // A Cluster has no 'ready' of its own, one per node.
  if (topology.kind === 'cluster') client.on('node-ready', restored);
  const guarded = withDeadlines(client, { timeoutMs, logger });
  topologies.set(guarded, topology.kind);
  topologies.set(client, topology.kind);
  return guarded;
}

/** Connects, or fails within `withinMs` (at once when Redis refuses the handshake) with a
 *  one-line StartupError naming the cause (redis/startup-error.ts). `redis.url` is
 *  REDIS_URL (redacted before it is shown) or the other topologies' description. */
export async function connectRedis(client: Redis, redis: { url: string; topology: RedisTopology }, withinMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onError: ((err: unknown) => void) | undefined;
  let lastError: Error | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(lastError ?? new Error('timed out')), withinMs);
    onError = (err) => {
      // node-redis's Sentinel client also emits plain strings.
      lastError = err instanceof Error ? err : new Error(String(err));
      if (isHandshakeRefusal(err)) reject(err);
    };
    client.on('error', onError);
  });
  try {
    await Promise.race([client.connect(), failed]);
  } catch (err) {
    void Promise.resolve(client.destroy()).catch(() => undefined);
    const shown = redis.topology.kind === 'single' ? redactUrl(redis.url) : redis.url;
    // A Cluster or Sentinel client gives up with words of its own ("All the root nodes are
    // unavailable"): the error behind them says more.
    const cause = isHandshakeRefusal(err) ? (err as Error) : (lastError ?? (err as Error));
    throw new StartupError(explainRedisFailure(shown, redis.topology, cause));
  } finally {
    clearTimeout(timer);
    client.off('error', onError!);
  }
}
