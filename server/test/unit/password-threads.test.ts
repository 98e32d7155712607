/**
 * Password hashing runs at background priority (auth/passwords/background-threads.ts):
 * the threads that compute argon2 hashes have a lowered CPU priority, the event loop's
 * thread keeps its own, so a storm of sign-ins does not take CPU time from requests in
 * progress. Linux (per-thread niceness through /proc).
 */
import os from 'node:os';
import { threadCpuTimes } from '../../src/auth/passwords/background-threads';
import { createPasswordHasher } from '../../src/auth/passwords/hasher';
import { ARGON2_OWASP } from '../../src/config/env';

test('the threads that hash passwords run at a lower priority than the event loop', async () => {
  expect(os.platform()).toBe('linux'); // the project's servers and CI; the mechanism is Linux's
  const mainNice = os.getPriority(process.pid);
  const hasher = await createPasswordHasher(ARGON2_OWASP);

  const before = threadCpuTimes()!;
  const gains = () => [...threadCpuTimes()!].filter(([tid]) => tid !== process.pid).map(([tid, t]) => [tid, t - (before.get(tid) ?? 0)] as const);
  // Production-cost hashes until the busiest thread shows 200 ms in the per-thread clock
  // (10 ms ticks): a fixed number of hashes was too few ticks on a fast, quiet machine.
  for (let round = 0; round < 50 && Math.max(0, ...gains().map(([, g]) => g)) < 20; round++) {
    await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`a long enough passphrase ${round}.${i}`)));
  }
  // The hashing threads share the work about evenly; helper threads of V8 that happened to
  // run meanwhile do far less.
  const busiest = Math.max(...gains().map(([, g]) => g));
  expect(busiest).toBeGreaterThanOrEqual(20);
  const workers = gains()
    .filter(([, g]) => g >= busiest / 4)
    .map(([tid]) => tid);

  expect(workers.length).toBeGreaterThan(0);
  for (const tid of workers) expect(os.getPriority(tid)).toBeGreaterThanOrEqual(mainNice + 10);
  expect(os.getPriority(process.pid)).toBe(mainNice);
});
