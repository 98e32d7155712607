/**
 * Three API processes behind a real HAProxy (round robin, no stickiness, health checks
 * on /readyz), on one Redis and one database: any instance serves any session; a
 * revocation, a password change or a role change made on one is seen by the very next
 * request on every other; sign-in limits count across instances; and a rolling restart
 * (each instance in turn: SIGTERM, drain, exit, start) loses no request.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MeResponse } from '@cloakroom/shared';
import { createClient } from 'redis';
import { redisKeys } from '../../src/redis/keys';
import { startFarm, type Farm } from './helpers/instances';

let farm: Farm;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-scale-db-'));
  farm = await startFarm({
    count: 3,
    databaseUrl: `sqlite:${path.join(dir, 'cloakroom.db')}`,
    env: {
      LOGIN_ACCOUNT_LIMIT: '30',
      LOGIN_IP_LIMIT: '100000',
      LOCKOUT_THRESHOLD: '100000',
      REGISTER_IP_LIMIT: '100000',
      PASSWORD_CHECK_ACCOUNT_LIMIT: '100000',
      PASSWORD_CHECK_IP_LIMIT: '100000',
      HASH_QUEUE_PER_ACCOUNT: '100000',
      HASH_QUEUE_PER_IP: '100000',
      SESSION_MAX_PER_USER: '100000',
    },
  });
}, 180_000);

afterAll(async () => {
  await farm?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const json = (body: object, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

let n = 0;
async function register(base: string): Promise<{ email: string; password: string; cookie: string; id: string }> {
  const email = `scale-${process.pid}-${++n}-${Date.now()}@example.test`;
  const password = 'a passphrase for every instance';
  const res = await fetch(`${base}/api/auth/register`, json({ email, password }, { 'X-Forwarded-For': `192.0.2.${n % 250}` }));
  expect(res.status).toBe(201);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  return { email, password, cookie, id: ((await res.json()) as { user: { id: string } }).user.id };
}

async function signIn(base: string, email: string, password: string, ip = '192.0.2.200'): Promise<{ status: number; cookie?: string }> {
  const res = await fetch(`${base}/api/auth/login`, json({ email, password }, { 'X-Forwarded-For': ip }));
  await res.arrayBuffer();
  return { status: res.status, ...(res.status === 200 ? { cookie: res.headers.getSetCookie()[0]!.split(';')[0]! } : {}) };
}

const me = async (base: string, cookie: string) => {
  const res = await fetch(`${base}/api/me`, { headers: { cookie } });
  return { status: res.status, body: (await res.json()) as MeResponse };
};

test('a session made on one instance works on every other; revocation, password and role changes on one are seen by the next request on each other', async () => {
  const [a, b, c] = farm.instances.map((i) => i.base) as [string, string, string];
  const user = await register(a);
  for (const base of [a, b, c, farm.base, farm.base, farm.base]) expect((await me(base, user.cookie)).status).toBe(200);

  // Revoke one session on B: A and C refuse it on their next request.
  const second = (await signIn(c, user.email, user.password)).cookie!;
  const handle = (await me(a, second)).body.session.id;
  expect((await fetch(`${b}/api/auth/sessions/${handle}`, { method: 'DELETE', headers: { cookie: user.cookie } })).status).toBe(204);
  expect((await me(a, second)).status).toBe(401);
  expect((await me(c, second)).status).toBe(401);

  // A role change made on C (by an admin signed in on A) shows on B and A at once.
  const admin = await register(a);
  await setRole(admin.id, 'admin');
  expect(
    (
      await fetch(`${c}/api/admin/users/${user.id}`, {
        method: 'PATCH',
        headers: { cookie: admin.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'admin' }),
      })
    ).status,
  ).toBe(200);
  expect((await me(b, user.cookie)).body.user.role).toBe('admin');
  expect((await me(a, user.cookie)).body.user.role).toBe('admin');

  // A password change on A ends the sessions everywhere else.
  const other = (await signIn(b, user.email, user.password)).cookie!;
  const changed = await fetch(`${a}/api/auth/password`, json({ currentPassword: user.password, newPassword: 'a changed passphrase' }, { cookie: user.cookie }));
  expect(changed.status).toBe(200);
  expect((await me(b, other)).status).toBe(401);
  expect((await me(c, other)).status).toBe(401);
  expect((await me(farm.base, user.cookie)).status).toBe(401);
}, 60_000);

/** The first admin of a deployment is made by an operator: here straight in the shared
 *  database file, then the user's Redis record dropped, as `npm run user-records:drop`
 *  does after a change made by hand in SQL. */
async function setRole(userId: string, role: string): Promise<void> {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(path.join(dir, 'cloakroom.db'));
  try {
    db.prepare('update users set role = ? where id = ?').run(role, userId);
  } finally {
    db.close();
  }
  const redis = createClient({ url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' });
  await redis.connect();
  await redis.del(redisKeys(farm.prefix).userRecord(userId));
  await redis.close();
}

test('30 wrong passwords spread round robin over the instances (and 30 addresses) reach the per-account ceiling exactly as on one', async () => {
  const user = await register(farm.base);
  const answers: number[] = [];
  for (let i = 0; i < 30; i++) answers.push((await signIn(farm.base, user.email, 'not the password', `203.0.113.${i + 1}`)).status);
  expect(answers).toEqual(new Array(30).fill(401));
  // The ceiling is reached: even the right password from a fresh address is refused,
  // whichever instance answers.
  for (const inst of farm.instances) expect((await signIn(inst.base, user.email, user.password, '203.0.113.99')).status).toBe(429);
}, 60_000);

test('a rolling restart (each instance in turn: SIGTERM, drain, exit, start) loses no request', async () => {
  const user = await register(farm.base);
  const signer = await register(farm.base);
  const failures: string[] = [];
  let served = 0;
  let running = true;
  const client = async (work: () => Promise<string | null>) => {
    while (running) {
      const failure = await work().catch((err: Error) => `network error: ${err.message}`);
      if (failure) failures.push(failure);
      else served++;
    }
  };
  const clients = [
    client(async () => {
      const { status } = await me(farm.base, user.cookie);
      return status === 200 ? null : `GET /api/me ${status}`;
    }),
    client(async () => {
      const { status } = await me(farm.base, user.cookie);
      return status === 200 ? null : `GET /api/me ${status}`;
    }),
    client(async () => {
      const { status } = await signIn(farm.base, signer.email, signer.password);
      return status === 200 ? null : `POST /api/auth/login ${status}`;
    }),
  ];
  for (const inst of farm.instances) {
    expect(await inst.stop()).toBe(0);
    await inst.start();
    await farm.allUp();
  }
  running = false;
  await Promise.all(clients);
  expect([...new Set(failures)]).toEqual([]);
  expect(served).toBeGreaterThan(50);
}, 180_000);
