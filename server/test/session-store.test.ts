/** The Redis session store: nothing in Redis is usable as a cookie, and a save can never
 *  bring an ended session back (at the store level, and over HTTP with a slow request
 *  racing a logout). */
import { SESSION_COOKIE_PLAIN } from '@cloakroom/shared';
import express from 'express';
import request from 'supertest';
import type { SessionData } from 'express-session';
import { createTestApp, sleep, type TestApp } from '@cloakroom/server/testing';
import { sessionHandle } from '../src/auth/session/handle';
import { routingTag } from '../src/redis/keys';
import { newSessionId, sessionKeyOf, sessionRef } from '../src/auth/session/session-id';
import { markNewSession } from '../src/auth/session/store';
import { sessionMiddleware } from '../src/http/middleware/session';
import { sessionCookie } from '../src/http/session-cookie';
import { sessionIdIn, setCookie } from './helpers/cookies';
import { dumpPrefix } from './helpers/redis';
import { signIn } from './helpers/sign-in';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

describe('what Redis holds', () => {
  test('no key and no value contains a session ID, a cookie value, a password or a hash', async () => {
    const sessions = await Promise.all([signIn(kit), signIn(kit), signIn(kit)]);
    const agent = kit.agent();
    const reg = await agent
      .post('/api/auth/register')
      .send({ email: `dump-${Date.now()}@example.test`, password: 'registered passphrase' })
      .expect(201);
    const regSid = sessionIdIn(setCookie(reg, SESSION_COOKIE_PLAIN), kit.config.session.secrets);
    await agent.get('/api/me').expect(200);

    const dump = await dumpPrefix(kit);
    const everything = dump.map((e) => `${e.key}\n${e.content}`).join('\n');
    expect(dump.filter((e) => e.key.includes(':sess:'))).toHaveLength(4);
    for (const secret of [...sessions.flatMap((s) => [s.sid, s.setCookie.value.slice(2), s.password]), regSid, 'registered passphrase', '$argon2']) {
      expect(everything).not.toContain(secret);
    }
    // Each record sits under its owner's routing tag and the SHA-256 handle of its ID.
    for (const s of sessions) expect(dump.map((e) => e.key)).toContain(`${kit.prefix}sess:{${routingTag(s.user.id)}}:${s.handle}`);
  });

  test('a record knows its user, its start and last activity, and nothing about credentials', async () => {
    const { key, user } = await signIn(kit);
    const record = JSON.parse((await kit.infra.redis.get(key))!);
    expect(record.passport).toEqual({ user: user.id });
    // Bound to the credential the sign-in verified (issue 8.1).
    expect(record.meta).toEqual({
      // When and how the user proved who they are (step-up, issue 12).
      authTime: expect.any(Number),
      authMethods: ['password'],
      // How it began, which re-authentication leaves alone (REQUIRE_2FA_FOR_ROLES reads it).
      signInMethods: ['password'],
      createdAt: expect.any(Number),
      lastSeenAt: expect.any(Number),
      ip: expect.any(String),
      userAgent: null,
      credentialVersion: 1,
    });
    expect(record.meta.lastSeenAt).toBe(record.meta.createdAt);
  });
});

describe('the store never resurrects a session', () => {
  const store = () => kit.services.store;
  const saved = (sid: string, sess: object) => store().set(sid, sess as SessionData);

  test('a save of an existing session after its destroy writes nothing (no record, no index entry)', async () => {
    const { sid, key, handle, user } = await signIn(kit);
    const stale = JSON.parse((await kit.infra.redis.get(key))!);
    await store().destroy(sid);
    expect(await kit.infra.redis.exists(key)).toBe(0);

    stale.meta.lastSeenAt = Date.now(); // what a late request would write back
    await saved(sid, stale);
    expect(await kit.infra.redis.exists(key)).toBe(0);
    expect(await kit.infra.redis.zScore(kit.services.keys.userSessions(user.id), handle)).toBeNull();
    expect(await store().read(sessionRef(sid)!)).toBeNull();
  });

  test('only a session marked new (a fresh login) may create a record; it gets the right TTL and index entry', async () => {
    const { user } = await kit.createUser();
    const sid = newSessionId(user.id);
    const now = Date.now();
    const sess = { cookie: { path: '/' }, passport: { user: user.id }, meta: { createdAt: now, lastSeenAt: now, ip: null, userAgent: null } };
    const key = sessionKeyOf(kit.services.keys, sid)!;

    await saved(sid, { ...sess });
    expect(await kit.infra.redis.exists(key)).toBe(0);

    const fresh = { ...sess };
    markNewSession(fresh);
    await saved(sid, fresh);
    const ttl = await kit.infra.redis.pTTL(key);
    expect(ttl).toBeGreaterThan(kit.config.session.idleTimeoutMs - 5_000);
    expect(ttl).toBeLessThanOrEqual(kit.config.session.idleTimeoutMs);
    expect(await kit.infra.redis.zScore(kit.services.keys.userSessions(user.id), sessionHandle(sid))).toBe(now + kit.config.session.idleTimeoutMs);
  });

  test('a save of a session already past its end removes it instead', async () => {
    const { sid, key } = await signIn(kit);
    const record = JSON.parse((await kit.infra.redis.get(key))!);
    record.meta.lastSeenAt = record.meta.createdAt = Date.now() - kit.config.session.absoluteTimeoutMs - 1;
    await saved(sid, record);
    expect(await kit.infra.redis.exists(key)).toBe(0);
  });
});

describe('over HTTP: a slow request that finishes after logout', () => {
  let slowKit: TestApp;
  let outer: express.Express;
  /** The slow route tells when it is inside its handler, and waits to be released. */
  let gate: { arrive: () => void; arrived: Promise<void>; release: () => void; released: Promise<void> };
  const armGate = () => {
    const g = {} as typeof gate;
    g.arrived = new Promise<void>((resolve) => (g.arrive = resolve));
    g.released = new Promise<void>((resolve) => (g.release = resolve));
    gate = g;
  };

  beforeAll(async () => {
    // Touch on every request, so the slow request has a write to make at its end.
    slowKit = await createTestApp({ env: { SESSION_TOUCH_INTERVAL: '0' } });
    // A test-only slow route behind the same session middleware as the API's own routes
    // (same store, cookie and checks), mounted in front of the real app.
    const { services, config } = slowKit;
    const session = sessionMiddleware({
      store: services.store,
      cookie: sessionCookie(config),
      secrets: config.session.secrets,
      limits: services.limits,
      authenticate: services.authenticate,
      readSession: services.readSession,
    });
    outer = express();
    outer.get('/test/slow', session.load, session.requireAuth, async (_req, res) => {
      gate.arrive();
      await gate.released;
      res.json({ done: true });
    });
    outer.use(slowKit.app);
  });
  afterAll(() => slowKit.close());

  /** Starts the slow request, runs `meanwhile` once it is inside its handler (signed
   *  in, session loaded), then lets it finish. */
  async function runSlow(cookie: string, meanwhile: () => Promise<void>) {
    armGate();
    const slow = request(outer)
      .get('/test/slow')
      .set('Cookie', cookie)
      .then((r) => r);
    await gate.arrived;
    await meanwhile();
    gate.release();
    return slow;
  }

  test('cannot bring the session back', async () => {
    const { cookie, key } = await signIn(slowKit);
    const res = await runSlow(cookie, async () => {
      await request(outer).post('/api/auth/logout').set('Cookie', cookie).expect(204);
      expect(await slowKit.infra.redis.exists(key)).toBe(0);
    });
    expect(res.status).toBe(200); // it was signed in when it began
    expect(await slowKit.infra.redis.exists(key)).toBe(0);
    await request(outer).get('/api/me').set('Cookie', cookie).expect(401);
  });

  test("control: without the logout, the slow request's write does land", async () => {
    const { cookie, key } = await signIn(slowKit);
    const before = JSON.parse((await slowKit.infra.redis.get(key))!).meta.lastSeenAt;
    await sleep(5);
    const res = await runSlow(cookie, async () => undefined);
    expect(res.status).toBe(200);
    expect(JSON.parse((await slowKit.infra.redis.get(key))!).meta.lastSeenAt).toBeGreaterThan(before);
  });
});
