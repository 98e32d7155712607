/**
 * Security headers on every kind of API answer (ASVS 5.0 3.4.1 and 3.4.3-3.4.6, 4.1.1,
 * 14.2.2, 14.3.2): JSON with its charset, nosniff, a CSP that allows nothing and no
 * framing, no referrer, never cached, varying by cookie; HSTS for a year with
 * subdomains whenever cookies are Secure. Checked on successes and on every error the
 * issue-3 routes produce (401, 403, 404, 405, 409, 413, 415, 429), not just on 200s.
 */
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { EVIL, signIn } from './helpers';

function expectSecurityHeaders(res: request.Response, what: string): void {
  const h = res.headers;
  const csp = String(h['content-security-policy']);
  const got = {
    what,
    nosniff: h['x-content-type-options'],
    defaultSrc: /(^|;)\s*default-src 'none'/.test(csp),
    frameAncestors: /(^|;)\s*frame-ancestors 'none'/.test(csp),
    referrer: h['referrer-policy'],
    cache: h['cache-control'],
    varyCookie: String(h.vary).split(/,\s*/).includes('Cookie'),
    poweredBy: h['x-powered-by'],
    json: res.status === 204 || res.status === 304 ? 'no body' : h['content-type'],
  };
  expect(got).toEqual({
    what,
    nosniff: 'nosniff',
    defaultSrc: true,
    frameAncestors: true,
    referrer: 'no-referrer',
    cache: 'no-store',
    varyCookie: true,
    poweredBy: undefined,
    json: res.status === 204 || res.status === 304 ? 'no body' : 'application/json; charset=utf-8',
  });
}

describe.each(testDatabases())('security headers ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { PASSWORD_CHANGE_LIMIT: '1' } });
  });
  afterAll(() => kit.close());

  test('3.4.4 / 3.4.5 / 3.4.6 / 14.3.2 every answer, success or error, carries them', async () => {
    const admin = await kit.createUser({ role: 'admin' });
    const a = await signIn(kit, admin);
    const user = await kit.signedInAgent();
    const answers: Array<[string, request.Response]> = [
      ['GET /healthz', await request(kit.app).get('/healthz')],
      ['GET /api/me 200', await a.agent.get('/api/me').expect(200)],
      ['GET /api/auth/sessions 200', await a.agent.get('/api/auth/sessions').expect(200)],
      ['GET /api/auth/events 200', await a.agent.get('/api/auth/events').expect(200)],
      ['GET /api/admin/users 200', await a.agent.get('/api/admin/users').expect(200)],
      ['GET /api/admin/users 401', await request(kit.app).get('/api/admin/users').expect(401)],
      ['GET /api/admin/users 403', await user.agent.get('/api/admin/users').expect(403)],
      ['DELETE session 404', await a.agent.delete(`/api/auth/sessions/${'x'.repeat(43)}`).expect(404)],
      ['GET /api/auth/password 405', await a.agent.get('/api/auth/password').expect(405)],
      ['PATCH last admin 409', await a.agent.patch(`/api/admin/users/${admin.user.id}`).send({ role: 'user' }).expect(409)],
      [
        'POST 413',
        await a.agent
          .post('/api/auth/password')
          .send({ currentPassword: 'x'.repeat(200_000), newPassword: 'y' })
          .expect(413),
      ],
      ['POST 415', await a.agent.post('/api/auth/password').set('Content-Type', 'text/plain').send('{}').expect(415)],
      ['POST 403 csrf', await a.agent.post('/api/auth/password').set('Origin', EVIL).send({}).expect(403)],
      [
        'POST 401 wrong current',
        await user.agent.post('/api/auth/password').send({ currentPassword: 'wrong wrong', newPassword: 'new passphrase ok' }).expect(401),
      ],
      ['POST 429', await user.agent.post('/api/auth/password').send({ currentPassword: 'wrong wrong', newPassword: 'new passphrase ok' }).expect(429)],
      ['DELETE /api/auth/sessions 200', await a.agent.delete('/api/auth/sessions').expect(200)],
      ['POST logout 204', await a.agent.post('/api/auth/logout').expect(204)],
    ];
    for (const [what, res] of answers) expectSecurityHeaders(res, what);
    // 429 tells when to come back.
    expect(Number(answers.find(([w]) => w === 'POST 429')![1].headers['retry-after'])).toBeGreaterThan(0);
  });

  test('3.4.1 no HSTS over plain HTTP (COOKIE_SECURE=false): it would pin localhost to HTTPS', async () => {
    const res = await request(kit.app).get('/healthz');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  test('3.4.1 with Secure cookies: HSTS on every answer, at least one year, with includeSubDomains', async () => {
    const secure = await createTestApp({ databaseUrl, env: { COOKIE_SECURE: 'true', TRUST_PROXY: 'loopback' } });
    try {
      for (const res of [
        await request(secure.app).get('/healthz'),
        await request(secure.app).get('/api/me').expect(401),
        await request(secure.app).post('/api/auth/login').send({}).expect(400),
      ]) {
        const hsts = String(res.headers['strict-transport-security']);
        expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
        expect(hsts).toMatch(/includeSubDomains/);
      }
    } finally {
      await secure.close();
    }
  });

  test('3.5.6 no JSONP: a callback parameter changes nothing, the answer stays JSON', async () => {
    const who = await signIn(kit, await kit.createUser());
    const res = await who.agent.get('/api/auth/sessions?callback=alert').expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.text.startsWith('{')).toBe(true);
  });
});
