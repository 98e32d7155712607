import { sleep } from '@cloakroom/server/testing';

export interface Sample {
  path: string;
  /** ms since the load began. */
  at: number;
  /** How long the request took, ms. */
  ms: number;
  status: number | 'network_error';
  /** The error code of an error body, when there was one. */
  code?: string;
}

export async function request(base: string, path: string, init: RequestInit = {}): Promise<Omit<Sample, 'at'>> {
  const started = performance.now();
  try {
    const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      code = undefined;
    }
    return { path, ms: performance.now() - started, status: res.status, ...(code ? { code } : {}) };
  } catch {
    return { path, ms: performance.now() - started, status: 'network_error' };
  }
}

/** `concurrency` clients requesting `path` back to back until stopped. */
export function hammer(base: string, path: string, concurrency: number, init: RequestInit = {}) {
  const samples: Sample[] = [];
  const t0 = performance.now();
  let running = true;
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) {
      const at = performance.now() - t0;
      samples.push({ ...(await request(base, path, init)), at });
    }
  });
  return {
    samples,
    /** Milliseconds since the load began (to split samples into phases). */
    now: () => performance.now() - t0,
    async stop(): Promise<Sample[]> {
      running = false;
      await Promise.all(workers);
      return samples;
    },
  };
}

/** Polls until `check` holds; returns the time it took, or throws after `timeoutMs`. */
export async function within(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}
