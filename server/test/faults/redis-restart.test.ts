/**
 * Redis restarted with persistence on (append-only file): people signed in before the
 * restart are still signed in after it, with the same session, and the per-user index
 * still lists their sessions. The API process is not restarted.
 */
import type { MeResponse } from '@cloakroom/shared';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { startRedisServer, type RedisServer } from './helpers/redis-server';
import { listen, request, within } from './helpers/load';

let redis: RedisServer;
let kit: TestApp;
let http: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  redis = await startRedisServer({ persistent: true });
  kit = await createTestApp({ env: { REDIS_URL: redis.url } });
  http = await listen(kit.handler);
});

afterAll(async () => {
  await http?.close();
  await kit?.close();
  await redis?.stop();
});

async function signIn(email: string, password: string): Promise<string> {
  const res = await fetch(`${http.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

test.each([
  ['a clean shutdown (SIGTERM)', 'SIGTERM' as const],
  ['a crash (SIGKILL)', 'SIGKILL' as const],
])('sessions survive %s of a persistent Redis', async (_name, signal) => {
  const alice = await kit.createUser();
  const bob = await kit.createUser();
  const aliceCookies = [await signIn(alice.email, alice.password), await signIn(alice.email, alice.password)];
  const bobCookie = await signIn(bob.email, bob.password);
  const before = await Promise.all([...aliceCookies, bobCookie].map(async (cookie) => (await fetch(`${http.base}/api/me`, { headers: { cookie } })).json() as Promise<MeResponse>));

  await redis.kill(signal);
  expect((await request(http.base, '/api/me', { headers: { cookie: bobCookie } })).status).toBe(503);
  await redis.start();

  await within(2000, 'signed in again after the restart', async () => (await request(http.base, '/api/me', { headers: { cookie: bobCookie } })).status === 200);
  const after = await Promise.all([...aliceCookies, bobCookie].map(async (cookie) => (await fetch(`${http.base}/api/me`, { headers: { cookie } })).json() as Promise<MeResponse>));
  expect(after.map((m) => [m.user.id, m.session.id])).toEqual(before.map((m) => [m.user.id, m.session.id]));
  // The index came back too: Alice still sees both of her sessions.
  const sessions = (await (await fetch(`${http.base}/api/auth/sessions`, { headers: { cookie: aliceCookies[0]! } })).json()) as { sessions: Array<{ id: string }> };
  expect(sessions.sessions.map((s) => s.id).sort()).toEqual([before[0]!.session.id, before[1]!.session.id].sort());
});
