/** Idle timeout and absolute lifetime, enforced by the server with short test limits:
 *  the Redis TTL never outlives either limit, activity extends the idle limit but never
 *  the absolute one, and reads within the touch interval write nothing. */
import { SESSION_COOKIE_PLAIN } from '@cloakroom/shared';
import { createTestApp, sleep, type TestApp } from '@cloakroom/server/testing';
import { checkSession, type SessionLimits } from '../src/auth/session/record';
import { manualClock } from './helpers/clock';
import { setCookie } from './helpers/cookies';
import { signIn } from './helpers/sign-in';

jest.setTimeout(30_000);

describe('with idle 2 s, absolute 5 s, touch interval 0.2 s', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ env: { SESSION_IDLE_TIMEOUT: '2', SESSION_ABSOLUTE_TIMEOUT: '5', SESSION_TOUCH_INTERVAL: '0.2' } });
  });
  afterAll(() => kit.close());

  test('an unused session ends after the idle timeout, and its Redis record with it', async () => {
    const { agent, key } = await signIn(kit);
    const ttl = await kit.infra.redis.pTTL(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000);
    await sleep(2_300);
    await agent.get('/api/me').expect(401);
    expect(await kit.infra.redis.exists(key)).toBe(0);
  });

  describe("the server's own limits, on the API's clock moved by hand", () => {
    const clock = manualClock();

    test('activity extends the idle limit but never the absolute one; the TTL never outlives either', async () => {
      const { key, cookie } = await signIn(kit);
      // The cookie is sent by hand on every request: a cookie jar would itself drop it at
      // its Expires (whole seconds, so up to 1 s early), and this is about the server's rule.
      const me = () => kit.agent().get('/api/me').set('Cookie', cookie);
      const first = (await me().expect(200)).body.session;
      const expiresAt = Date.parse(first.expiresAt);
      expect(expiresAt - Date.parse(first.createdAt)).toBe(5_000);

      let lastIdle = Date.parse(first.idleExpiresAt);
      let extended = 0;
      let sawEnd = false;
      // Keep using the session, well inside the idle limit, until past the absolute limit.
      while (!sawEnd) {
        clock.advance(400);
        const sentAt = Date.now();
        const res = await me();
        if (res.status === 401) {
          // Only the absolute limit can end a session used every 0.4 s.
          expect(sentAt).toBeGreaterThanOrEqual(expiresAt - 50);
          // Redis's record ends with it: its TTL (at most what was left of the absolute
          // limit, checked each round) runs on Redis's own clock, so wait that out for real.
          await sleep(Math.max(0, await kit.infra.redis.pTTL(key)) + 50);
          expect(await kit.infra.redis.exists(key)).toBe(0);
          sawEnd = true;
          break;
        }
        expect(res.status).toBe(200);
        expect(sentAt).toBeLessThan(expiresAt + 50);
        const session = res.body.session;
        expect(Date.parse(session.expiresAt)).toBe(expiresAt); // activity never moves it
        const idle = Date.parse(session.idleExpiresAt);
        expect(idle).toBeGreaterThanOrEqual(lastIdle);
        if (idle > lastIdle) extended++;
        lastIdle = idle;

        const pttl = await kit.infra.redis.pTTL(key);
        const now = Date.now();
        // Never beyond the idle limit, and never beyond what is left of the absolute one.
        expect(pttl).toBeLessThanOrEqual(2_000);
        expect(pttl).toBeLessThanOrEqual(expiresAt - now + 20);
      }
      expect(extended).toBeGreaterThanOrEqual(5);
      expect(sawEnd).toBe(true);
    });

    test('a touch keeps the cookie expiring at the absolute limit, not a fresh lifetime', async () => {
      const { email, password } = await kit.createUser();
      const agent = kit.agent();
      const login = setCookie(await agent.post('/api/auth/login').send({ email, password }).expect(200), SESSION_COOKIE_PLAIN);
      clock.advance(1_200);
      const touched = await agent.get('/api/me').expect(200);
      const again = setCookie(touched, SESSION_COOKIE_PLAIN);
      // Expires has one-second resolution.
      expect(Math.abs(Date.parse(again.attributes.expires as string) - Date.parse(login.attributes.expires as string))).toBeLessThanOrEqual(1_000);
    });
  });
});

describe('touch throttling (idle 30 s, touch interval 1 s)', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ env: { SESSION_IDLE_TIMEOUT: '30', SESSION_ABSOLUTE_TIMEOUT: '60', SESSION_TOUCH_INTERVAL: '1' } });
  });
  afterAll(() => kit.close());
  afterEach(() => jest.restoreAllMocks());
  const clock = manualClock();

  test('reads within the interval write nothing; the first read after it records the activity', async () => {
    const { agent, key } = await signIn(kit);
    const redis = kit.infra.redis;
    const record = await redis.get(key);
    const set = jest.spyOn(kit.services.store, 'set');

    for (let i = 0; i < 5; i++) await agent.get('/api/me').expect(200);
    expect(set).not.toHaveBeenCalled();
    expect(await redis.get(key)).toBe(record); // byte for byte
    const ttlBefore = await redis.pTTL(key);

    clock.advance(1_100);
    const res = await agent.get('/api/me').expect(200);
    expect(set).toHaveBeenCalledTimes(1);
    const touched = JSON.parse((await redis.get(key))!);
    expect(touched.meta.lastSeenAt).toBeGreaterThan(JSON.parse(record!).meta.lastSeenAt);
    expect(Date.parse(res.body.session.idleExpiresAt)).toBe(touched.meta.lastSeenAt + 30_000);
    // The write renewed the TTL to the idle limit (it had been running down).
    const ttlAfter = await redis.pTTL(key);
    expect(ttlAfter).toBeGreaterThan(ttlBefore);
    expect(ttlAfter).toBeLessThanOrEqual(30_000);

    for (let i = 0; i < 3; i++) await agent.get('/api/me').expect(200);
    expect(set).toHaveBeenCalledTimes(1);
  });
});

describe('the time rules themselves (checkSession)', () => {
  const limits: SessionLimits = { idleTimeoutMs: 1_000, absoluteTimeoutMs: 3_000, touchIntervalMs: 100 };
  const stored = (createdAt: number, lastSeenAt: number) => ({ passport: { user: 'u1' }, meta: { createdAt, lastSeenAt, ip: null, userAgent: null } });

  test.each([
    ['fresh', 0, 0, 50, { valid: true, touchDue: false }],
    ['due for a touch', 0, 0, 100, { valid: true, touchDue: true }],
    ['one ms before idle expiry', 0, 0, 999, { valid: true }],
    ['at idle expiry', 0, 0, 1_000, { valid: false, reason: 'idle_timeout' }],
    ['active, one ms before the absolute limit', 0, 2_500, 2_999, { valid: true }],
    ['active, at the absolute limit', 0, 2_900, 3_000, { valid: false, reason: 'absolute_timeout' }],
  ])('%s', (_what, createdAt, lastSeenAt, now, expected) => {
    expect(checkSession(stored(createdAt, lastSeenAt), now, limits)).toMatchObject(expected);
  });

  test('a session without a user, or with a damaged record, is not a session', () => {
    expect(checkSession(null, 0, limits)).toEqual({ valid: false, reason: 'anonymous' });
    expect(checkSession({ cookie: {} }, 0, limits)).toEqual({ valid: false, reason: 'anonymous' });
    expect(checkSession({ passport: { user: 'u1' } }, 0, limits)).toEqual({ valid: false, reason: 'malformed' });
    expect(checkSession({ passport: { user: 42 }, meta: stored(0, 0).meta }, 0, limits)).toEqual({ valid: false, reason: 'malformed' });
  });
});
