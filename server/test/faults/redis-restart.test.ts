/**
 * Redis restarted with persistence on (append-only file): people signed in before the
 * restart are still signed in after it, with the same session, and the per-user index
 * still lists their sessions. The API process is not restarted.
 */
import type { MeResponse } from '@cloakroom/shared';
import { request, within } from './helpers/load';
import { signIn as signInAt } from '@cloakroom/server/testing';
import { faultStack, type FaultStack } from './helpers/stack';

let stack: FaultStack;

beforeAll(async () => {
  stack = await faultStack({ persistent: true });
});

afterAll(() => stack?.close());

const signIn = (email: string, password: string) => signInAt(stack.base, email, password);

test.each([
  ['a clean shutdown (SIGTERM)', 'SIGTERM' as const],
  ['a crash (SIGKILL)', 'SIGKILL' as const],
])('sessions survive %s of a persistent Redis', async (_name, signal) => {
  const { kit, redis, base } = stack;
  const alice = await kit.createUser();
  const bob = await kit.createUser();
  const aliceCookies = [await signIn(alice.email, alice.password), await signIn(alice.email, alice.password)];
  const bobCookie = await signIn(bob.email, bob.password);
  const before = await Promise.all(
    [...aliceCookies, bobCookie].map(async (cookie) => (await fetch(`${base}/api/me`, { headers: { cookie } })).json() as Promise<MeResponse>),
  );

  await redis.kill(signal);
  expect((await request(base, '/api/me', { headers: { cookie: bobCookie } })).status).toBe(503);
  await redis.start();

  await within(2000, 'signed in again after the restart', async () => (await request(base, '/api/me', { headers: { cookie: bobCookie } })).status === 200);
  const after = await Promise.all(
    [...aliceCookies, bobCookie].map(async (cookie) => (await fetch(`${base}/api/me`, { headers: { cookie } })).json() as Promise<MeResponse>),
  );
  expect(after.map((m) => [m.user.id, m.session.id])).toEqual(before.map((m) => [m.user.id, m.session.id]));
  // The index came back too: Alice still sees both of her sessions.
  const sessions = (await (await fetch(`${base}/api/auth/sessions`, { headers: { cookie: aliceCookies[0]! } })).json()) as { sessions: Array<{ id: string }> };
  expect(sessions.sessions.map((s) => s.id).sort()).toEqual([before[0]!.session.id, before[1]!.session.id].sort());
});
