/**
 * Open-loop load at a fixed rate, as its own process: requests start on a fixed
 * schedule whatever the answers do, and each latency counts from the moment its request
 * was due (so a stall shows in the figures instead of silently lowering the rate:
 * no coordinated omission). wrk cannot hold a rate and autocannon's rate limiter sends
 * in bursts, hence this small generator.
 *
 * argv: url rate seconds headersJson → prints one line `RATE {json}` (latencies in ms).
 */
import http from 'node:http';

const [url, rateArg, secondsArg, headersJson] = process.argv.slice(2) as [string, string, string, string];
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const headers = JSON.parse(headersJson) as Record<string, string>;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const target = new URL(url);

const latencies: number[] = [];
let errors = 0;
let non2xx = 0;
let pending = 0;
const total = Math.round(rate * seconds);
const interval = 1000 / rate;
const start = performance.now() + 50;
let sent = 0;

function fire(due: number): void {
  pending++;
  const req = http.get({ host: target.hostname, port: target.port, path: target.pathname, headers, agent }, (res) => {
    res.resume();
    res.on('end', () => {
      latencies.push(performance.now() - due);
      if (res.statusCode! < 200 || res.statusCode! >= 300) non2xx++;
      pending--;
    });
  });
  req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  req.on('error', () => {
    errors++;
    pending--;
  });
}

function tick(): void {
  const now = performance.now();
  while (sent < total && start + sent * interval <= now) fire(start + sent++ * interval);
  if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
  else finish();
}

function finish(): void {
  if (pending > 0) return void setTimeout(finish, 10);
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const elapsed = (performance.now() - start) / 1000;
  process.stdout.write(
    `RATE ${JSON.stringify({ rps: sorted.length / elapsed, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0, requests: sorted.length, errors, non2xx })}\n`,
  );
  agent.destroy();
}

setTimeout(tick, 50);
