import type { Logger } from 'pino';

/** A Redis command that got no answer in time, or was not sent because Redis is not
 *  answering. Mapped to 503 service_unavailable (redis/errors.ts). */
export class RedisDeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisDeadlineError';
  }
}

interface Pending {
  started: number;
  /** The event loop's total lag when the command was sent (see `withDeadlines`). */
  lagAtStart: number;
  settled: boolean;
  reject: (err: Error) => void;
}

/** The parts of a node-redis client the guard needs. */
interface Client {
  ping(): Promise<unknown>;
  destroy(): void;
  connect(): Promise<unknown>;
  on(event: 'ready', listener: () => void): unknown;
}

export interface DeadlineOptions {
  timeoutMs: number;
  /** After this long without any answer, drop the connection and dial again (a peer
   *  that vanished without closing TCP would otherwise hold the socket for minutes). */
  reconnectAfterMs?: number;
  logger?: Logger;
}

/** Names that are client machinery, not Redis commands (node-redis gives every command
 *  both a camelCase and an UPPERCASE name; `sendCommand` is the raw form). */
function isCommand(target: object, prop: string | symbol): prop is string {
  return typeof prop === 'string' && (prop === 'sendCommand' || (prop !== prop.toUpperCase() && prop.toUpperCase() in target && prop !== 'multi'));
}

/**
 * Bounds the time of every Redis command, whatever state the connection is in.
 *
 * node-redis 6's `commandOptions.timeout` only covers the time a command waits to be
 * written: once on the socket, a command waits for its reply for ever. A paused or
 * overloaded Redis (SIGSTOP, DEBUG SLEEP, a long script) keeps the connection open and
 * answers nothing, so every request that touched Redis would hang and pile up.
 *
 * Here each command is raced against one shared watchdog (no timer per command): a
 * command that Redis has not answered within `timeoutMs` fails with RedisDeadlineError,
 * and Redis counts as stalled: new commands fail at once without being sent (no pile-up
 * of queued commands, fast 503s), and one PING at a time probes for its return. Any
 * reply ends the stall. If nothing answers for `reconnectAfterMs`, the connection is
 * dropped and dialled again.
 *
 * Only Redis's silence counts, never the app's own. While this process's event loop is
 * blocked (a starved CPU, a long synchronous task), replies wait unread in the socket,
 * and when the loop resumes, timers run before the socket is read: a watchdog counting
 * wall-clock age would blame Redis for the app's own lag and fail everyone with 503.
 * So the watchdog measures its own lateness (a tick that fires late means the loop was
 * not running), and a command's age leaves that lag out: a stall needs `timeoutMs` of
 * time in which the app was running and Redis still said nothing.
 */
export function withDeadlines<T extends Client>(client: T, options: DeadlineOptions): T {
  const { timeoutMs, logger } = options;
  const reconnectAfterMs = options.reconnectAfterMs ?? Math.max(5000, 5 * timeoutMs);
  const interval = Math.max(10, Math.min(100, timeoutMs / 5));
  const queue: Pending[] = [];
  let head = 0;
  let stalledSince: number | null = null;
  let probing = false;
  /** Event-loop lag seen so far: the sum of the watchdog's lateness, in ms. */
  let lag = 0;
  let lastTick = performance.now();
  /** How long ago `since` was, leaving out the event loop's lag since then. */
  const ageOf = (since: number, lagThen: number, now: number) => now - since - (lag - lagThen);

  const answered = () => {
    if (stalledSince === null) return;
    stalledSince = null;
    logger?.info('redis answers again');
  };
  client.on('ready', answered);

  function guard(run: () => unknown): unknown {
    if (stalledSince !== null) return Promise.reject(new RedisDeadlineError('Redis is not answering'));
    const result = run();
    if (!(result instanceof Promise)) return result;
    const entry: Pending = { started: performance.now(), lagAtStart: lag, settled: false, reject: () => undefined };
    queue.push(entry);
    return new Promise((resolve, reject) => {
      entry.reject = reject;
      result.then(
        (value) => {
          entry.settled = true;
          answered();
          resolve(value);
        },
        (err: unknown) => {
          entry.settled = true;
          reject(err);
        },
      );
    });
  }

  function tick(): void {
    const now = performance.now();
    lag += Math.max(0, now - lastTick - interval);
    lastTick = now;
    while (head < queue.length && queue[head]!.settled) head++;
    while (head < queue.length && ageOf(queue[head]!.started, queue[head]!.lagAtStart, now) >= timeoutMs) {
      const entry = queue[head++]!;
      if (entry.settled) continue;
      entry.settled = true;
      entry.reject(new RedisDeadlineError(`Redis did not answer within ${timeoutMs} ms`));
      if (stalledSince === null) {
        stalledSince = now;
        logger?.warn({ timeoutMs }, 'redis is not answering; session routes answer 503 until it does');
      }
    }
    if (head > 1024) {
      queue.splice(0, head);
      head = 0;
    }
    if (stalledSince === null) return;
    if (!probing) {
      probing = true;
      client
        .ping()
        .then(answered, () => undefined)
        .finally(() => (probing = false));
    }
    if (now - stalledSince >= reconnectAfterMs) {
      logger?.warn('redis stayed silent; reconnecting');
      stalledSince = now;
      client.destroy();
      client.connect().catch(() => undefined);
    }
  }
  const watchdog = setInterval(tick, interval);
  watchdog.unref();
  const wrappers = new Map<string, unknown>();
  const wrapMulti = (multi: { exec: (...args: unknown[]) => unknown; execAsPipeline?: (...args: unknown[]) => unknown }) => {
    const { exec, execAsPipeline } = multi;
    multi.exec = (...args) => guard(() => exec.apply(multi, args));
    if (execAsPipeline) multi.execAsPipeline = (...args) => guard(() => execAsPipeline.apply(multi, args));
    return multi;
  };

  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'multi' || prop === 'MULTI') return (...args: unknown[]) => wrapMulti((value as (...a: unknown[]) => never).apply(target, args));
      if (!isCommand(target, prop)) return value;
      let wrapper = wrappers.get(prop);
      if (!wrapper) {
        wrapper = (...args: unknown[]) => guard(() => (value as (...a: unknown[]) => unknown).apply(target, args));
        wrappers.set(prop, wrapper);
      }
      return wrapper;
    },
  });
}
