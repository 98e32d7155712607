/**
 * `npm run bench -- --flood` (also part of the full run): the argon2 flood of issue 8.3.
 * Accounts registered through the API from 3 addresses sign in over and over with their
 * right passwords (nothing an allowance for wrong passwords would stop), while a
 * legitimate user at a 4th address signs in now and then. Reported: the legitimate
 * sign-ins' success rate (the goal is 100%, no 503) and latency, alone and during the
 * flood, and what the flood's own requests got.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from './run';
import { ROOT, sleep, stopChild } from './lib/procs';
import { round2 } from './lib/report';
import { newSecret, startApi } from './lib/stack';

const ATTACKER_ADDRESSES = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
const LEGIT_ADDRESS = '192.0.2.44';
const ACCOUNTS_PER_ATTACKER = 3;
const LEGIT_ACCOUNTS = 5;
/** Pause between two sign-ins of the legitimate user. */
const LEGIT_PAUSE_MS = 200;

export interface FloodOptions {
  /** Seconds of flood. */
  seconds: number;
  /** Seconds of legitimate sign-ins alone, before the flood. */
  aloneSeconds: number;
  /** Concurrent attacking clients per address. */
  perAddress: number;
}

export interface LegitPhase {
  attempts: number;
  statuses: Record<string, number>;
  successRate: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function register(apiUrl: string, address: string, email: string, password: string): Promise<void> {
  const res = await fetch(`${apiUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 201) throw new Error(`registering ${email} answered ${res.status}: ${await res.text()}`);
}

/** The legitimate user: one sign-in at a time from a fresh browser (no cookies), until
 *  `until` returns true. */
async function legitimate(apiUrl: string, emails: string[], password: string, until: () => boolean): Promise<LegitPhase> {
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let i = 0;
  while (!until()) {
    const started = performance.now();
    let key: string;
    try {
      const res = await fetch(`${apiUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': LEGIT_ADDRESS },
        body: JSON.stringify({ email: emails[i++ % emails.length], password }),
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      key = String(res.status);
    } catch (err) {
      key = (err as Error).name;
    }
    latencies.push(performance.now() - started);
    statuses[key] = (statuses[key] ?? 0) + 1;
    await sleep(LEGIT_PAUSE_MS);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    attempts: latencies.length,
    statuses,
    successRate: round2(((statuses['200'] ?? 0) / Math.max(1, latencies.length)) * 100),
    p50: round2(percentile(sorted, 50)),
    p99: round2(percentile(sorted, 99)),
    max: round2(sorted.at(-1) ?? 0),
  };
}

export interface FloodResult {
  options: FloodOptions;
  /** The legitimate user's sign-ins alone, then during the flood. */
  alone: LegitPhase;
  during: LegitPhase;
  /** What the flood's own requests got. */
  attack: { seconds: number; statuses: Record<string, number> };
}

export async function flood(ctx: Context, options: FloodOptions): Promise<FloodResult> {
  const api = await startApi('api-flood', {
    redisUrl: ctx.redisUrl,
    prefix: `${ctx.prefix}flood:`,
    databaseFile: path.join(ctx.dir, 'flood.db'),
    secret: newSecret(),
    logDir: ctx.dir,
  });
  ctx.services.push(api);

  const password = `flood ${newSecret().slice(0, 16)}`;
  const attackers = ATTACKER_ADDRESSES.map((address, a) => ({
    address,
    emails: Array.from({ length: ACCOUNTS_PER_ATTACKER }, (_, i) => `flood-${a}-${i}@bench.invalid`),
    password,
  }));
  const legit = Array.from({ length: LEGIT_ACCOUNTS }, (_, i) => `legit-${i}@bench.invalid`);
  console.log(
    `\nargon2 flood: ${ATTACKER_ADDRESSES.length} addresses × ${ACCOUNTS_PER_ATTACKER} self-registered accounts, ${options.perAddress} clients per address`,
  );
  for (const attacker of attackers) for (const email of attacker.emails) await register(api.url, attacker.address, email, password);
  for (const email of legit) await register(api.url, LEGIT_ADDRESS, email, password);

  let deadline = Date.now() + options.aloneSeconds * 1000;
  const alone = await legitimate(api.url, legit, password, () => Date.now() > deadline);
  console.log(`  alone: ${alone.attempts} sign-ins, ${alone.successRate}% succeeded, p99 ${alone.p99} ms ${JSON.stringify(alone.statuses)}`);

  const file = path.join(ctx.dir, 'flood-attackers.json');
  fs.writeFileSync(file, JSON.stringify(attackers));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/flood-clients.ts'), api.url, file, String(options.perAddress)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await sleep(1000); // the flood is under way before the legitimate user starts
  deadline = Date.now() + options.seconds * 1000;
  const during = await legitimate(api.url, legit, password, () => Date.now() > deadline);
  await stopChild(child, 60_000);
  const line = out.split('\n').find((l) => l.startsWith('FLOOD '));
  const attack = line ? (JSON.parse(line.slice(6)) as { seconds: number; statuses: Record<string, number> }) : { seconds: 0, statuses: {} };
  console.log(
    `  during the flood: ${during.attempts} sign-ins, ${during.successRate}% succeeded, p50 ${during.p50} ms, p99 ${during.p99} ms ${JSON.stringify(during.statuses)}`,
  );
  console.log(`  the flood's own requests over ${round2(attack.seconds)} s: ${JSON.stringify(attack.statuses)}`);
  await api.stop();
  ctx.services.splice(ctx.services.indexOf(api), 1);
  return { options, alone, during, attack };
}
