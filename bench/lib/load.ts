import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

/** One measurement of one target. Latencies in milliseconds. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Answers with a status of 400 or more (wrk) or outside 2xx (autocannon). */
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationS: number;
  /** Load-generator threads (wrk -t; autocannon's `workers`). Default 1. */
  threads?: number;
}

export interface LoadGenerator {
  name: string;
  version: string;
  measure(options: LoadOptions): Promise<LoadResult>;
}

/** wrk when it is installed (C, one thread: it leaves most of the second core to the
 *  servers, and it is what the reference figures were measured with), else
 *  autocannon (Node, in this process: it needs about as much CPU as the server it
 *  measures, so on 2 cores every figure comes out lower; ratios stay comparable because
 *  every target is measured the same way). BENCH_LOAD=wrk|autocannon chooses. */
export function loadGenerator(): LoadGenerator {
  const wanted = process.env.BENCH_LOAD;
  const wrkVersion = wrkInstalled();
  if (wanted === 'wrk' && !wrkVersion) throw new Error('BENCH_LOAD=wrk but wrk is not installed (apt-get install wrk)');
  if (wrkVersion && wanted !== 'autocannon') return { name: 'wrk', version: wrkVersion, measure: wrk };
  // Loaded only when wrk is absent (autocannon is the fallback generator).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('autocannon/package.json') as { version: string };
  return { name: 'autocannon', version, measure: autocannon };
}

function wrkInstalled(): string | null {
  try {
    return execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')[0]!
      .trim();
  } catch (err) {
    // wrk -v exits 1 after printing its version.
    const out = (err as { stdout?: string }).stdout ?? '';
    return out.startsWith('wrk') ? out.split('\n')[0]!.trim() : null;
  }
}

const LUA = path.join(__dirname, 'wrk-report.lua');

function wrk(o: LoadOptions): Promise<LoadResult> {
  const args = [`-t${o.threads ?? 1}`, `-c${Math.max(o.connections, o.threads ?? 1)}`, `-d${o.durationS}s`, '--timeout', '5s', '-s', LUA];
  for (const [name, value] of Object.entries(o.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push(o.url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk failed (${code}): ${out}`));
      const r = JSON.parse(line.slice('WRKJSON '.length)) as Record<string, number>;
      resolve({
        rps: r.requests! / (r.durationUs! / 1e6),
        p50: r.p50! / 1000,
        p99: r.p99! / 1000,
        max: r.max! / 1000,
        requests: r.requests!,
        errors: r.connect! + r.read! + r.write! + r.timeout!,
        non2xx: r.status!,
      });
    });
  });
}

async function autocannon(o: LoadOptions): Promise<LoadResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const run = require('autocannon') as (opts: object) => Promise<{
    requests: { average: number; total: number };
    latency: { p50: number; p99: number; max: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  }>;
  const r = await run({
    url: o.url,
    connections: o.connections,
    ...(o.threads && o.threads > 1 ? { workers: o.threads } : {}),
    duration: o.durationS,
    headers: o.headers ?? {},
    timeout: 5,
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

/** Latency at a fixed request rate, below saturation: what users of a loaded-but-healthy
 *  service see. Open loop (bench/rate.ts, its own process), since wrk cannot hold a rate
 *  and autocannon's limiter sends in bursts. */
export function measureAtRate(o: Omit<LoadOptions, 'connections'> & { rate: number }): Promise<LoadResult> {
  const script = path.join(__dirname, '../rate.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, o.url, String(o.rate), String(o.durationS), JSON.stringify(o.headers ?? {})], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RATE '));
      if (code !== 0 || !line) return reject(new Error(`rate generator failed (${code}): ${out}`));
      resolve(JSON.parse(line.slice(5)) as LoadResult);
    });
  });
}
