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
  // Enough production-cost hashes to show up in the per-thread clock (10 ms ticks).
  await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`a long enough passphrase ${i}`)));
  const after = threadCpuTimes()!;
  // The hashing threads: each did tens of milliseconds of work (helper threads of V8
  // that happened to run meanwhile do far less).
  const workers = [...after].filter(([tid, t]) => tid !== process.pid && t - (before.get(tid) ?? 0) >= 5).map(([tid]) => tid);

  expect(workers.length).toBeGreaterThan(0);
  for (const tid of workers) expect(os.getPriority(tid)).toBeGreaterThanOrEqual(mainNice + 10);
  expect(os.getPriority(process.pid)).toBe(mainNice);
});
