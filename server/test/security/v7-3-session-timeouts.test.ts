/**
 * ASVS 5.0 V7.3 Session timeout: an inactivity timeout (7.3.1) and an absolute maximum
 * lifetime (7.3.2), both enforced by the server (express-session has no absolute limit
 * of its own). Real short limits, real waiting: about 5 seconds per database.
 * Requests replay the raw cookie rather than use an agent's jar: a jar drops the cookie
 * by its Expires (whole seconds), which would end the session on the client's side and
 * prove nothing about the server.
 */
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { logInAs, sessionKey, sleep } from './helpers';

describe.each(testDatabases())('V7.3 session timeouts ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { SESSION_IDLE_TIMEOUT: '1', SESSION_ABSOLUTE_TIMEOUT: '2.5', SESSION_TOUCH_INTERVAL: '0.1' } });
  });
  afterAll(() => kit.close());

  const me = (cookie: string) => request(kit.app).get('/api/me').set('Cookie', cookie);

  test('7.3.1 an idle session ends after the inactivity timeout; activity keeps it alive; Redis forgets it too', async () => {
    const who = await kit.createUser();
    const { cookie, sid } = await logInAs(kit, who);
    const key = sessionKey(kit, sid);
    expect(await kit.infra.redis.pTTL(key)).toBeLessThanOrEqual(1000);

    await sleep(600);
    await me(cookie).expect(200); // activity: the idle clock restarts
    expect(await kit.infra.redis.pTTL(key)).toBeGreaterThan(800);
    await sleep(600);
    await me(cookie).expect(200); // 1.2 s after login, but only 0.6 s idle

    await sleep(1150);
    const res = await me(cookie).expect(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(await kit.infra.redis.exists(key)).toBe(0);
  });

  test('7.3.2 a session in constant use still ends at its absolute lifetime, and its TTL never outlives it', async () => {
    const who = await kit.createUser();
    const started = Date.now();
    const { cookie, sid } = await logInAs(kit, who);
    const key = sessionKey(kit, sid);
    let endedAt: number | undefined;
    while (Date.now() - started < 4000) {
      const res = await me(cookie);
      if (res.status === 401) {
        endedAt = Date.now() - started;
        break;
      }
      expect(res.status).toBe(200);
      const ttl = await kit.infra.redis.pTTL(key);
      expect(ttl).toBeLessThanOrEqual(2500 - (Date.now() - started) + 50);
      await sleep(300);
    }
    expect(endedAt).toBeDefined();
    expect(endedAt!).toBeGreaterThanOrEqual(2400);
    expect(endedAt!).toBeLessThan(3500);
    // The sessions list agrees: nothing left to show.
    expect(await kit.services.sessions.list(who.user.id)).toEqual([]);
  });
});
