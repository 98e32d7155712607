/**
 * Graceful shutdown of the real process (server/dist/main.js, as production runs it): on
 * SIGTERM or SIGINT it stops accepting connections, lets every request already in flight
 * finish with its real answer, closes Redis and the database, and exits 0.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createClient } from 'redis';
import { scratchDatabase } from '../helpers/databases';
import { finished, spawnBuilt, type Finished } from '../helpers/processes';
import { sleep } from '@cloakroom/server/testing';

jest.setTimeout(60_000);

const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:shutdown-${randomBytes(5).toString('hex')}:`;
let database: Awaited<ReturnType<typeof scratchDatabase>>;

beforeAll(async () => {
  database = await scratchDatabase('sqlite', '');
});

afterAll(async () => {
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length) await redis.del(keys);
  await redis.close();
  await database.drop();
});

interface Api {
  child: ChildProcess;
  port: number;
  exit: Promise<Finished>;
}

/** Starts the built API on a free port and waits for its "listening" line. */
async function startApi(): Promise<Api> {
  const child = spawnBuilt('main', [], {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'info',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DATABASE_URL: database.url,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    COOKIE_SECURE: 'false',
    TRUST_PROXY: 'loopback',
    PASSWORD_HASH_MEMORY_KIB: '1024',
    PASSWORD_HASH_TIME_COST: '1',
    // 100 sign-ins to one account at once would meet the per-account limits (counted
    // when a request starts) and the account's share of the hashing queue; limits are
    // not what this test is about.
    LOGIN_ACCOUNT_LIMIT: '100000',
    LOGIN_IP_LIMIT: '100000',
    PASSWORD_CHECK_ACCOUNT_LIMIT: '100000',
    PASSWORD_CHECK_IP_LIMIT: '100000',
    HASH_QUEUE_PER_ACCOUNT: '100000',
    HASH_QUEUE_PER_IP: '100000',
  });
  const exit = finished(child, 60_000);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exit.then((f) => reject(new Error(`the API exited (${f.code}) before listening:\n${f.stdout}${f.stderr}`)));
  });
  return { child, port, exit };
}

interface Reply {
  status: number;
  at: number;
}

/** A POST whose headers and first half of the body go out now, and the rest only when
 *  `finish` is called: until then the request is in flight on the server. */
function slowPost(port: number, path: string, body: object, headers: Record<string, string> = {}) {
  const payload = Buffer.from(JSON.stringify(body));
  const half = payload.length >> 1;
  const req = http.request({
    port,
    host: '127.0.0.1',
    path,
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': payload.length, ...headers },
  });
  const reply = new Promise<Reply>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, at: Date.now() }));
    });
    req.on('error', reject);
  });
  req.write(payload.subarray(0, half));
  req.flushHeaders();
  return {
    reply,
    finish: () => req.end(payload.subarray(half)),
  };
}

const connects = (port: number) =>
  new Promise<boolean>((resolve) => {
    const req = http.get({ port, host: '127.0.0.1', path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
  });

async function register(port: number): Promise<{ email: string; password: string }> {
  const who = { email: `shutdown-${randomBytes(4).toString('hex')}@example.test`, password: 'a long enough passphrase' };
  const res = await fetch(`http://127.0.0.1:${port}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  expect(res.status).toBe(201);
  return who;
}

test('SIGTERM with 100 requests in flight: all of them complete, then the process exits 0', async () => {
  const api = await startApi();
  const who = await register(api.port);
  // 100 sign-ins, each from its own client address (as behind a load balancer), with
  // their bodies only half sent.
  const inFlight = Array.from({ length: 100 }, (_, i) => slowPost(api.port, '/api/auth/login', who, { 'x-forwarded-for': `10.9.${i >> 8}.${i & 255}` }));
  await sleep(500);

  api.child.kill('SIGTERM');
  await sleep(300);
  // Stopped accepting, but still running for the requests it has.
  expect(await connects(api.port)).toBe(false);
  expect(api.child.exitCode).toBeNull();

  for (const r of inFlight) r.finish();
  const replies = await Promise.all(inFlight.map((r) => r.reply));
  const exit = await api.exit;

  expect(replies.map((r) => r.status)).toEqual(Array(100).fill(200));
  expect(exit.code).toBe(0);
  expect(exit.stderr).toBe('');
  expect(exit.stdout).toMatch(/SIGTERM received/);
});

test('SIGINT with one request in flight: it gets its answer, Redis and the database close, exit 0', async () => {
  const api = await startApi();
  const who = await register(api.port);
  const one = slowPost(api.port, '/api/auth/login', who);
  await sleep(300);
  api.child.kill('SIGINT');
  await sleep(300);
  expect(api.child.exitCode).toBeNull();
  one.finish();
  const reply = await one.reply;
  const exit = await api.exit;
  expect(reply.status).toBe(200);
  expect(exit.code).toBe(0);
  expect(exit.stdout).toMatch(/SIGINT received/);
});
