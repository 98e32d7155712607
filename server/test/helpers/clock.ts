/**
 * The clock the API reads (`Date`), moved forward by hand: for tests of the server's own
 * time rules (idle and absolute limits, the touch interval) where Redis's expiry is not
 * what is checked, so they need not wait. Only `Date` is replaced: timers, sockets and
 * `performance.now()` stay real. Between jumps the clock stands still, so what a test
 * compares (deadlines, the TTLs the API computed) does not drift on a loaded machine.
 * Redis's TTLs run on Redis's clock: a test that checks a record expiring waits for real
 * (`sleep` of the kit).
 */
export interface ManualClock {
  /** Moves the API's clock `ms` milliseconds ahead. */
  advance(ms: number): void;
}

/** Installs the clock for each test of the file (or describe block) it is called in. */
export function manualClock(): ManualClock {
  beforeEach(() => {
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
  });
  afterEach(() => jest.useRealTimers());
  return { advance: (ms) => jest.setSystemTime(Date.now() + ms) };
}
