/**
 * CORS with credentials for mobile-web clients (ASVS 5.0 3.4.2): an exact-match
 * allowlist. Allowed origins get their own origin back with credentials; everything
 * else, including `null` and look-alikes, gets no allow headers at all, on simple
 * requests and on preflights alike. Every answer varies by Origin.
 */
import request from 'supertest';
import { errorBodySchema } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { EVIL, signIn, type SignedIn } from './helpers';

const MOBILE = 'https://m.example.test';
const PARTNER = 'http://localhost:5173';
const HOSTILE = [
  EVIL,
  'null',
  'https://m.example.test.evil.test', // suffix trick
  'https://evilm.example.test', // prefix trick
  'https://evil.m.example.test', // subdomain
  'http://m.example.test', // other scheme
  'https://m.example.test:8443', // other port
  'https://M.EXAMPLE.TEST', // not byte-for-byte the allowed origin
  'https://m.example.test/', // not an origin
  'http://localhost:5174',
  'http://localhost', // same host, default port
];

describe.each(testDatabases())('CORS ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  let user: SignedIn;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { CORS_ORIGINS: `${MOBILE},${PARTNER}` } });
    user = await signIn(kit, await kit.createUser());
  });
  afterAll(() => kit.close());

  const varyIncludesOrigin = (res: request.Response) => expect(String(res.headers.vary).split(/,\s*/)).toContain('Origin');

  test('3.4.2 an allowed origin reads a credentialed answer: its exact origin, credentials true, Vary: Origin, Retry-After exposed', async () => {
    for (const origin of [MOBILE, PARTNER]) {
      const res = await request(kit.app).get('/api/me').set('Origin', origin).set('Cookie', user.cookie).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      varyIncludesOrigin(res);
      expect(res.headers['access-control-expose-headers']).toMatch(/Retry-After/);
    }
  });

  test("3.4.2 an allowed origin's preflight is answered: 204 with its origin, credentials, the methods and the requested headers", async () => {
    const res = await request(kit.app)
      .options('/api/auth/password')
      .set('Origin', MOBILE)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe(MOBILE);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(res.headers['access-control-allow-methods']).toMatch(/DELETE/);
    expect(res.headers['access-control-allow-headers']).toMatch(/content-type/i);
    expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
    varyIncludesOrigin(res);
  });

  test('3.4.2 hostile and look-alike origins get no allow headers, neither on a credentialed GET nor on a preflight', async () => {
    for (const origin of HOSTILE) {
      const simple = await request(kit.app).get('/api/me').set('Origin', origin).set('Cookie', user.cookie);
      expect([origin, simple.headers['access-control-allow-origin'], simple.headers['access-control-allow-credentials']]).toEqual([
        origin,
        undefined,
        undefined,
      ]);
      varyIncludesOrigin(simple);

      const preflight = await request(kit.app).options('/api/me').set('Origin', origin).set('Access-Control-Request-Method', 'DELETE');
      expect([
        origin,
        preflight.headers['access-control-allow-origin'],
        preflight.headers['access-control-allow-credentials'],
        preflight.headers['access-control-allow-methods'],
      ]).toEqual([origin, undefined, undefined, undefined]);
      expect(preflight.status).toBeGreaterThanOrEqual(400);
    }
  });

  test("3.4.2 a preflight from an origin not on the list is refused with 403 in the contract's shape (not 405), and the log names the origin and the allowed ones", async () => {
    const logged = await createTestApp({ databaseUrl, env: { CORS_ORIGINS: MOBILE }, captureLogs: true });
    try {
      for (const path of ['/api/me', '/api/auth/login', '/api/auth/sessions/x']) {
        const res = await request(logged.app).options(path).set('Origin', EVIL).set('Access-Control-Request-Method', 'POST');
        expect(res.status).toBe(403);
        const body = errorBodySchema.parse(res.body);
        expect(body.error.code).toBe('csrf_rejected');
        expect(body.error.message).toContain(EVIL);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
      const line = logged
        .logs()
        .split('\n')
        .find((l) => l.includes('preflight'));
      expect(JSON.parse(line!)).toMatchObject({ origin: EVIL, allowed: expect.arrayContaining([MOBILE]) });
      // An allowed origin's preflight is still answered.
      await request(logged.app).options('/api/me').set('Origin', MOBILE).set('Access-Control-Request-Method', 'DELETE').expect(204);
    } finally {
      await logged.close();
    }
  });

  test('3.4.2 never a wildcard, and with no CORS_ORIGINS nobody gets allow headers', async () => {
    const closed = await createTestApp({ databaseUrl });
    try {
      for (const origin of [MOBILE, EVIL, 'null']) {
        const res = await request(closed.app).get('/healthz').set('Origin', origin);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
      const open = await request(kit.app).get('/healthz').set('Origin', MOBILE);
      expect(open.headers['access-control-allow-origin']).not.toBe('*');
    } finally {
      await closed.close();
    }
  });
});
