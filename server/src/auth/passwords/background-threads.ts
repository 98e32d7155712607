import fs from 'node:fs';
import os from 'node:os';

/** CPU time (clock ticks) of each thread of this process, from /proc (Linux); null where
 *  there is no /proc. */
export function threadCpuTimes(): Map<number, number> | null {
  try {
    const times = new Map<number, number>();
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name: state is the 3rd field, utime and stime the 14th and 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    }
    return times;
  } catch {
    return null;
  }
}

/**
 * Lowers the CPU priority of libuv's thread pool, where argon2 hashes run, so that
 * hashing only gets the CPU that the event loop leaves: under a storm of sign-ins the
 * requests already being served (GET /api/me above all) keep their latency, and sign-ins
 * wait instead (bench: docs/performance.md, login storm). Node does not say which
 * threads form the pool, so `work` (a hash) runs on every pool thread at once and the
 * threads that did it are the ones lowered. Linux only (per-thread niceness); elsewhere,
 * or when nothing measurable ran, it changes nothing. Returns the threads lowered.
 */
export async function lowerThreadPoolPriority(work: () => Promise<unknown>, niceness = 10): Promise<number[]> {
  const size = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const before = threadCpuTimes();
  if (!before) return [];
  await Promise.all(Array.from({ length: size }, work));
  const after = threadCpuTimes();
  if (!after) return [];
  const pool = [...after]
    .filter(([tid]) => tid !== process.pid)
    .map(([tid, t]) => [tid, t - (before.get(tid) ?? 0)] as const)
    .filter(([, gained]) => gained > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, size)
    .map(([tid]) => tid);
  const lowered: number[] = [];
  for (const tid of pool) {
    try {
      os.setPriority(tid, Math.max(os.getPriority(tid), niceness));
      lowered.push(tid);
    } catch {
      // not allowed or gone: leave it
    }
  }
  return lowered;
}
