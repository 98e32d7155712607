/**
 * `npm run bench -- --soak`: the production API under a steady mix of sign-ups,
 * sign-ins, /api/me and sign-outs for a few minutes. Reports errors (must be 0),
 * memory at start and end, and whether Redis holds exactly the live sessions at the end
 * (records and index entries), so a leak of keys or memory shows.
 */
import path from 'node:path';
import { redisKeys } from '../server/dist/redis/keys';
import type { Context } from './run';
import { rssMiB, sleep } from './lib/procs';
import { round2 } from './lib/report';
import { countPrefix } from './lib/sessions';
import { newSecret, startApi } from './lib/stack';

type Op = 'register' | 'login' | 'me' | 'logout';

interface Client {
  email: string;
  password: string;
  address: string;
  cookie: string | null;
}

const ME_PER_VISIT = 5;

export async function soak(ctx: Context): Promise<Record<string, unknown>> {
  const { soakSeconds, soakRate } = ctx.options;
  const databaseFile = path.join(ctx.dir, 'users.db');
  const api = await startApi('api-soak', { redisUrl: ctx.redisUrl, prefix: ctx.prefix, databaseFile, secret: newSecret(), logDir: ctx.dir });
  ctx.services.push(api);
  const keys = redisKeys(ctx.prefix);
  const pid = api.child.pid;

  // Sign-ups are limited per client address (20 an hour by default): spread them over
  // enough addresses that a real mix of clients would have.
  const cycleOps = 2 + 2 + 2 * ME_PER_VISIT + 1; // register, me×5, logout, login, me×5, logout…
  const expectedSignUps = Math.ceil(((soakSeconds * soakRate) / cycleOps) * 1.5) + 64;
  const addresses = Array.from({ length: Math.ceil(expectedSignUps / 10) }, (_, i) => `10.77.${(i >> 8) & 255}.${i & 255}`);

  const counts: Record<Op, number> = { register: 0, login: 0, me: 0, logout: 0 };
  const latencies: Record<Op, number[]> = { register: [], login: [], me: [], logout: [] };
  const errors: Record<string, number> = {};
  let errorCount = 0;
  const noteError = (what: string) => {
    errorCount++;
    errors[what] = (errors[what] ?? 0) + 1;
  };

  // A steady rate: every operation takes the next slot of a fixed schedule.
  const interval = 1000 / soakRate;
  let nextSlot = performance.now();
  const slot = async () => {
    const at = (nextSlot += interval);
    const wait = at - performance.now();
    if (wait > 0) await sleep(wait);
  };

  async function call(op: Op, client: Client, method: string, url: string, expect: number, body?: object): Promise<Response | null> {
    await slot();
    const t = performance.now();
    try {
      const headers: Record<string, string> = { 'x-forwarded-for': client.address };
      if (client.cookie) headers.cookie = client.cookie;
      if (body) headers['content-type'] = 'application/json';
      const res = await fetch(api.url + url, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      latencies[op].push(performance.now() - t);
      counts[op]++;
      if (res.status !== expect) noteError(`${op} answered ${res.status}`);
      return res;
    } catch (err) {
      noteError(`${op} ${(err as Error).name}`);
      return null;
    }
  }

  const cookieFrom = (res: Response | null) => res?.headers.getSetCookie()[0]?.split(';')[0] ?? null;

  let stopping = false;
  let signUps = 0;
  async function visitor(): Promise<Client | null> {
    let client: Client | null = null;
    while (!stopping) {
      if (!client) {
        const n = signUps++;
        client = {
          email: `soak-${n}-${ctx.runId}@bench.invalid`,
          password: `soak-password-${n}-${ctx.runId}`,
          address: addresses[n % addresses.length]!,
          cookie: null,
        };
        const res = await call('register', client, 'POST', '/api/auth/register', 201, { email: client.email, password: client.password });
        client.cookie = cookieFrom(res);
      } else {
        const res = await call('login', client, 'POST', '/api/auth/login', 200, { email: client.email, password: client.password });
        client.cookie = cookieFrom(res);
      }
      for (let i = 0; i < ME_PER_VISIT && !stopping; i++) await call('me', client, 'GET', '/api/me', 200);
      if (stopping) break; // ends signed in: this session must still be in Redis
      await call('logout', client, 'POST', '/api/auth/logout', 204);
      client.cookie = null;
      // Now and then a new person instead of the same one again.
      if (Math.random() < 0.3) client = null;
    }
    return client;
  }

  console.log(`\nsoak: ${soakSeconds} s at ${soakRate} operations/s against the production API (argon2id at OWASP cost)`);
  // Enough visitors that the schedule, not the hashing queue, sets the pace.
  const visitors = Math.max(8, Math.ceil(soakRate / 2));
  const redisMemory = async () => Number(/used_memory:(\d+)/.exec(await ctx.redis.info('memory'))?.[1] ?? 0);
  const memory: Array<{ s: number; rssMiB: number | null }> = [];
  const t0 = Date.now();
  const running = Array.from({ length: visitors }, () => visitor());

  // Start figures after a short warm-up (JIT, pools), then every 10 s.
  await sleep(Math.min(10_000, (soakSeconds * 1000) / 6));
  const rssStart = rssMiB(pid);
  const redisStart = await redisMemory();
  const sampler = setInterval(() => memory.push({ s: Math.round((Date.now() - t0) / 1000), rssMiB: rssMiB(pid) }), 10_000);
  // Progress: one line rewritten in place on a terminal, a line every 30 s in a log.
  const tty = process.stdout.isTTY === true;
  for (let tick = 1; Date.now() - t0 < soakSeconds * 1000; tick++) {
    await sleep(1000);
    const line = `  ${Math.round((Date.now() - t0) / 1000)} s: ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}, errors ${errorCount}`;
    if (tty) process.stdout.write(`\r${line}   `);
    else if (tick % 30 === 0) console.log(line);
  }
  stopping = true;
  const ends = await Promise.all(running);
  clearInterval(sampler);
  const rssEnd = rssMiB(pid);
  const redisEnd = await redisMemory();
  const seconds = (Date.now() - t0) / 1000;

  // What Redis holds now, against what the visitors know is still signed in.
  const live = ends.filter((c) => c?.cookie).length;
  const records = await countPrefix(ctx.redis, `${keys.sessionPrefix}*`);
  let indexed = 0;
  for await (const batch of ctx.redis.scanIterator({ MATCH: `${keys.userSessionsPrefix}*`, COUNT: 1000 })) {
    for (const key of batch) indexed += await ctx.redis.zCard(key);
  }
  const allKeys = await countPrefix(ctx.redis, `${ctx.prefix}*`);
  const rateLimitKeys = await countPrefix(ctx.redis, `${keys.rateLimitPrefix}*`);
  const lockoutKeys = await countPrefix(ctx.redis, `${keys.lockoutPrefix}*`);
  const indexKeys = await countPrefix(ctx.redis, `${keys.userSessionsPrefix}*`);
  const aliveMarker = 1;
  const otherKeys = allKeys - records - indexKeys - rateLimitKeys - lockoutKeys - aliveMarker;
  const leakFree = records === live && indexed === live && otherKeys === 0 && lockoutKeys === 0;

  const pct = (xs: number[], p: number) => (xs.length ? round2([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!) : 0);
  const ops = Object.fromEntries(
    (Object.keys(counts) as Op[]).map((op) => [op, { count: counts[op], p50: pct(latencies[op], 50), p99: pct(latencies[op], 99) }]),
  );
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`\n
soak: ${seconds.toFixed(0)} s, ${total} operations (${(total / seconds).toFixed(1)}/s), ${visitors} concurrent visitors
${(Object.keys(counts) as Op[]).map((op) => `  ${op.padEnd(8)} ${String(counts[op]).padStart(6)}  p50 ${ops[op]!.p50} ms  p99 ${ops[op]!.p99} ms`).join('\n')}
errors: ${errorCount}${errorCount ? ` ${JSON.stringify(errors)}` : ''}  ${errorCount === 0 ? '(MET: 0)' : '(MISSED: must be 0)'}
API memory (RSS): ${rssStart} MiB after warm-up → ${rssEnd} MiB at the end (highest ${Math.max(...memory.map((m) => m.rssMiB ?? 0))} MiB, sampled every 10 s); Redis used_memory ${(redisStart / 2 ** 20).toFixed(1)} → ${(redisEnd / 2 ** 20).toFixed(1)} MiB
Redis at the end: ${records} session records and ${indexed} index entries for ${live} sessions still signed in; ${indexKeys} per-user indexes, ${rateLimitKeys} rate-limit counters (expire by themselves), ${lockoutKeys} lockout entries, ${otherKeys} other keys  ${leakFree ? '(MET: nothing leaked)' : '(MISSED: keys do not match the live sessions)'}`);

  return {
    soak: {
      seconds: round2(seconds),
      rate: soakRate,
      visitors,
      ops,
      errors: errorCount,
      errorKinds: errors,
      memory: { rssStartMiB: rssStart, rssEndMiB: rssEnd, samples: memory, redisStartBytes: redisStart, redisEndBytes: redisEnd },
      redis: { live, records, indexed, indexKeys, rateLimitKeys, lockoutKeys, otherKeys, leakFree },
    },
  };
}
