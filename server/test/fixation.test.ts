/** Session fixation: whatever session a browser carried before signing in (planted by
 *  an attacker, or an earlier sign-in), signing in gives it a new ID and the old one is
 *  dead, its Redis record gone. */
import { SESSION_COOKIE_PLAIN } from '@cloakroom/shared';
import signature from 'cookie-signature';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { sessionHandle } from '../src/auth/session/handle';
import { newSessionId, sessionKeyOf } from '../src/auth/session/session-id';
import { sessionIdIn, setCookie } from './helpers/cookies';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

const recordKey = (sid: string) => sessionKeyOf(kit.services.keys, sid)!;
const sidOf = (res: Parameters<typeof setCookie>[0]) => sessionIdIn(setCookie(res, SESSION_COOKIE_PLAIN), kit.config.session.secrets);
const cookieFor = (sid: string) => `${SESSION_COOKIE_PLAIN}=${encodeURIComponent(`s:${signature.sign(sid, kit.config.session.secrets[0])}`)}`;

test('a planted pre-login session: login answers with a new ID, and the planted one is dead and gone from Redis', async () => {
  // What an attacker would plant: a session the server knows, not yet signed in.
  const planted = newSessionId();
  const record = { cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString(), httpOnly: true, path: '/', sameSite: 'lax' } };
  await kit.infra.redis.set(recordKey(planted), JSON.stringify(record), { PX: 60_000 });

  const { email, password } = await kit.createUser();
  const res = await kit.agent().post('/api/auth/login').set('Cookie', cookieFor(planted)).send({ email, password }).expect(200);
  const fresh = sidOf(res);
  expect(fresh).not.toBe(planted);
  expect(await kit.infra.redis.exists(recordKey(planted))).toBe(0);
  expect(await kit.infra.redis.exists(recordKey(fresh))).toBe(1);

  // The attacker, holding the planted cookie, is not signed in as the victim.
  await kit.agent().get('/api/me').set('Cookie', cookieFor(planted)).expect(401);
  await kit.agent().get('/api/me').set('Cookie', cookieFor(fresh)).expect(200);
});

test("an attacker's own signed-in cookie, planted in the victim's browser: the victim's login replaces it", async () => {
  const attacker = await kit.signedInAgent();
  const attackerLogin = await kit.agent().post('/api/auth/login').send({ email: attacker.email, password: attacker.password }).expect(200);
  const attackerSid = sidOf(attackerLogin);

  const victim = await kit.createUser();
  const res = await kit
    .agent()
    .post('/api/auth/login')
    .set('Cookie', cookieFor(attackerSid))
    .send({ email: victim.email, password: victim.password })
    .expect(200);
  const victimSid = sidOf(res);
  expect(victimSid).not.toBe(attackerSid);
  expect(await kit.infra.redis.exists(recordKey(attackerSid))).toBe(0);
  // The attacker's copy of the cookie shows neither the victim nor anyone.
  await kit.agent().get('/api/me').set('Cookie', cookieFor(attackerSid)).expect(401);
  expect((await kit.agent().get('/api/me').set('Cookie', cookieFor(victimSid)).expect(200)).body.user.id).toBe(victim.user.id);
});

test("login as A then as B in one browser: a new ID, A's session gone, /api/me says B", async () => {
  const a = await kit.createUser();
  const b = await kit.createUser();
  const agent = kit.agent();
  const first = sidOf(await agent.post('/api/auth/login').send({ email: a.email, password: a.password }).expect(200));
  const second = sidOf(await agent.post('/api/auth/login').send({ email: b.email, password: b.password }).expect(200));
  expect(second).not.toBe(first);
  expect(await kit.infra.redis.exists(recordKey(first))).toBe(0);
  expect((await agent.get('/api/me').expect(200)).body.user.id).toBe(b.user.id);
  expect(await kit.infra.redis.zScore(kit.services.keys.userSessions(a.user.id), sessionHandle(first))).toBeNull();
});

test('signing up while signed in also starts a new session', async () => {
  const a = await kit.createUser();
  const agent = kit.agent();
  const first = sidOf(await agent.post('/api/auth/login').send({ email: a.email, password: a.password }).expect(200));
  const second = sidOf(
    await agent
      .post('/api/auth/register')
      .send({ email: `fix-${Date.now()}@example.test`, password: 'a good long passphrase' })
      .expect(201),
  );
  expect(second).not.toBe(first);
  expect(await kit.infra.redis.exists(recordKey(first))).toBe(0);
});

test('a failed login leaves the current session as it was (no new ID, still signed in)', async () => {
  const a = await kit.createUser();
  const agent = kit.agent();
  const sid = sidOf(await agent.post('/api/auth/login').send({ email: a.email, password: a.password }).expect(200));
  await agent.post('/api/auth/login').send({ email: a.email, password: 'wrong wrong wrong' }).expect(401);
  expect(await kit.infra.redis.exists(recordKey(sid))).toBe(1);
  expect((await agent.get('/api/me').expect(200)).body.user.id).toBe(a.user.id);
});
