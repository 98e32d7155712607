/** Runs at most `concurrency` tasks at once; the rest wait. Password hashing is CPU- and
 *  memory-bound (19 MiB each at OWASP cost): letting every login hash at once would
 *  starve the event loop that serves /api/me. A full queue rejects at once instead of
 *  growing without bound.
 *  Waiting tasks are served in turn by key (the client address asking): round robin over
 *  the keys, first come first served within one. A requester with many tasks waiting
 *  delays another requester by one task per turn, not by all of its tasks. */
export class Limiter {
  private running = 0;
  private waiting = 0;
  /** Waiters by key; Map order is the rotation (a key served moves to the back). */
  private readonly queues = new Map<string, Array<() => void>>();

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
  ) {}

  async run<T>(task: () => Promise<T>, key = ''): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting >= this.maxQueue) throw new LimiterFullError();
      this.waiting++;
      await new Promise<void>((resolve) => {
        const queue = this.queues.get(key);
        if (queue) queue.push(resolve);
        else this.queues.set(key, [resolve]);
      });
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.takeNext();
      // Hand the slot straight to the next waiter, so `running` never drops and rises.
      if (next) next();
      else this.running--;
    }
  }

  private takeNext(): (() => void) | undefined {
    const first = this.queues.entries().next();
    if (first.done) return undefined;
    const [key, queue] = first.value;
    const next = queue.shift()!;
    this.queues.delete(key);
    if (queue.length) this.queues.set(key, queue);
    this.waiting--;
    return next;
  }
}

export class LimiterFullError extends Error {
  constructor() {
    super('too many password checks are waiting');
    this.name = 'LimiterFullError';
  }
}
