/** Runs at most `concurrency` tasks at once; the rest wait in order. Password hashing
 *  is CPU- and memory-bound (19 MiB each at OWASP cost): letting every login hash at
 *  once would starve the event loop that serves /api/me. A full queue rejects at once
 *  instead of growing without bound. */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueue) throw new LimiterFullError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter, so `running` never drops and rises.
      if (next) next();
      else this.running--;
    }
  }
}

export class LimiterFullError extends Error {
  constructor() {
    super('too many password checks are waiting');
    this.name = 'LimiterFullError';
  }
}
