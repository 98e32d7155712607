/** POST /api/auth/logout: 204; the session is gone from Redis (and from the user's
 *  index), the cookie is cleared with the attributes it was set with, and a replayed
 *  cookie is refused. 204 also with no session at all. */
import { SESSION_COOKIE_PLAIN } from '@cloakroom/shared';
import signature from 'cookie-signature';
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { routingTag } from '../src/redis/keys';
import { sessionHandle } from '../src/auth/session/handle';
import { expectCleared, setCookie } from './helpers/cookies';
import { signIn } from './helpers/sign-in';

describe.each(testDatabases())('logout on $name', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  test('204, the Redis record and index entry are gone, the cookie is cleared, and a replayed cookie is 401', async () => {
    const { agent, cookie, setCookie: set, handle, user } = await signIn(kit);
    const { redis } = kit.infra;
    expect(await redis.exists(kit.services.keys.session(routingTag(user.id), handle))).toBe(1);
    expect(await redis.zScore(kit.services.keys.userSessions(user.id), handle)).not.toBeNull();

    const res = await agent.post('/api/auth/logout').expect(204);
    expect(res.text).toBe('');
    expectCleared(setCookie(res, SESSION_COOKIE_PLAIN), set);
    expect(await redis.exists(kit.services.keys.session(routingTag(user.id), handle))).toBe(0);
    expect(await redis.zScore(kit.services.keys.userSessions(user.id), handle)).toBeNull();

    // The agent dropped the cookie; someone who kept a copy gets nowhere with it.
    await agent.get('/api/me').expect(401);
    const replay = await kit.agent().get('/api/me').set('Cookie', cookie).expect(401);
    expect(replay.body.error.code).toBe('unauthenticated');
  });

  test("ends only that session: the same user's other sessions stay signed in", async () => {
    const first = await signIn(kit);
    const other = kit.agent();
    await other.post('/api/auth/login').send({ email: first.email, password: first.password }).expect(200);
    await first.agent.post('/api/auth/logout').expect(204);
    await other.get('/api/me').expect(200);
    await first.agent.get('/api/me').expect(401);
  });

  test.each([
    ['no cookie at all', undefined],
    ['a cookie that is not signed', `${SESSION_COOKIE_PLAIN}=garbage`],
    ['a cookie signed with another secret', `${SESSION_COOKIE_PLAIN}=${encodeURIComponent(`s:${signature.sign('a'.repeat(32), 'some other secret')}`)}`],
    ['a validly signed cookie of a session that does not exist', 'VALID'],
  ])('204 with %s, clearing the cookie anyway', async (_what, header) => {
    const req = kit.agent().post('/api/auth/logout');
    const value =
      header === 'VALID' ? `${SESSION_COOKIE_PLAIN}=${encodeURIComponent(`s:${signature.sign('b'.repeat(32), kit.config.session.secrets[0])}`)}` : header;
    if (value) req.set('Cookie', value);
    const res = await req.expect(204);
    expect(setCookie(res, SESSION_COOKIE_PLAIN).value).toBe('');
    // ...and creates no session of its own.
    expect(await kit.infra.redis.keys(`${kit.prefix}sess:*${sessionHandle('b'.repeat(32))}`)).toEqual([]);
  });

  test('two session cookies in one request (a valid one and junk, or two valid ones): every validly signed session named is ended', async () => {
    const first = await signIn(kit);
    const second = await signIn(kit);
    const junk = `${SESSION_COOKIE_PLAIN}=junk`;
    const res = await kit.agent().post('/api/auth/logout').set('Cookie', `${first.cookie}; ${junk}`).expect(204);
    expect(setCookie(res, SESSION_COOKIE_PLAIN).value).toBe('');
    expect(await kit.infra.redis.exists(kit.services.keys.session(routingTag(first.user.id), first.handle))).toBe(0);
    await kit.agent().get('/api/me').set('Cookie', first.cookie).expect(401);
    await request(kit.handler).get('/api/me').set('Cookie', first.cookie).expect(401);

    await kit.agent().post('/api/auth/logout').set('Cookie', `${junk}; ${second.cookie}; ${first.cookie}`).expect(204);
    expect(await kit.infra.redis.exists(kit.services.keys.session(routingTag(second.user.id), second.handle))).toBe(0);
    await request(kit.handler).get('/api/me').set('Cookie', second.cookie).expect(401);
    await kit.services.events.settled();
    expect((await kit.services.events.recent(second.user.id)).map((e) => e.type)).toContain('logout');
  });

  test('a second logout with the same cookie is still 204', async () => {
    const { cookie } = await signIn(kit);
    await kit.agent().post('/api/auth/logout').set('Cookie', cookie).expect(204);
    await kit.agent().post('/api/auth/logout').set('Cookie', cookie).expect(204);
  });
});
