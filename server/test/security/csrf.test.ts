/**
 * CSRF without tokens (ASVS 5.0 3.5.1-3.5.3; DESIGN "Security at the edges"): every
 * state-changing route refuses a hostile Origin or a cross-site Sec-Fetch-Site with 403
 * csrf_rejected, and every body a cross-site page can send without a preflight
 * (text/plain, forms, multipart) with 415, and in each case nothing changes in the
 * database or in Redis (rate-limit counters included). Login and logout included.
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createTestApp, testDatabases, type TestApp, type TestUser } from '@cloakroom/server/testing';
import { EVIL, snapshot } from './helpers';

// Each test walks every state-changing route, with snapshots of Redis and the database.
jest.setTimeout(30_000);

const APP = 'https://app.example.test';
const MOBILE = 'https://m.example.test';

/** Origins that must never pass: other sites, `null` (sandboxed frames, file:), and
 *  look-alikes of an allowed origin (suffix, prefix, scheme, port, case, path). */
const HOSTILE = [
  EVIL,
  'null',
  `${APP}.evil.test`,
  'https://evilapp.example.test',
  'http://app.example.test',
  `${APP}:8443`,
  'https://APP.example.test',
  `${APP}/`,
];

describe.each(testDatabases())('CSRF ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  let admin: TestUser & { agent: TestAgent };
  let victim: TestUser & { agent: TestAgent };
  let handle: string;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { APP_ORIGIN: APP, CORS_ORIGINS: MOBILE } });
  });
  async function fresh(): Promise<void> {
    admin = await kit.signedInAgent({ role: 'admin' });
    victim = await kit.signedInAgent();
    // A second device, so that "end my other sessions" and "end that session" have work.
    const phone = await kit.signedInAgent(victim);
    handle = (await phone.agent.get('/api/me').expect(200)).body.session.id;
  }
  beforeEach(fresh);
  afterAll(() => kit.close());

  /** Every state-changing route, each with a body that would succeed from the app. */
  const routes = (): Array<{ method: 'post' | 'patch' | 'delete'; path: string; body?: object; as: () => TestAgent }> => [
    {
      method: 'post',
      path: '/api/auth/register',
      body: { email: `new-${Date.now()}-${Math.random()}@example.test`, password: 'a long fine passphrase' },
      as: () => kit.agent(),
    },
    { method: 'post', path: '/api/auth/login', body: { email: victim.email, password: victim.password }, as: () => kit.agent() },
    { method: 'post', path: '/api/auth/logout', as: () => victim.agent },
    {
      method: 'post',
      path: '/api/auth/password',
      body: { currentPassword: victim.password, newPassword: 'attacker chosen passphrase' },
      as: () => victim.agent,
    },
    { method: 'delete', path: '/api/auth/sessions', as: () => victim.agent },
    { method: 'delete', path: `/api/auth/sessions/${handle}`, as: () => victim.agent },
    { method: 'patch', path: `/api/admin/users/${victim.user.id}`, body: { role: 'admin' }, as: () => admin.agent },
    { method: 'delete', path: `/api/admin/users/${victim.user.id}/sessions`, as: () => admin.agent },
  ];

  test('3.5.1 a hostile Origin is refused with 403 csrf_rejected on every state-changing route, JSON or not, and nothing changes', async () => {
    for (const r of routes()) {
      for (const origin of HOSTILE) {
        const before = await snapshot(kit, { counters: true });
        const res = await r
          .as()
          [r.method](r.path)
          .set('Origin', origin)
          .send(r.body ?? {});
        expect([r.path, origin, res.status, res.body.error?.code]).toEqual([r.path, origin, 403, 'csrf_rejected']);
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(await snapshot(kit, { counters: true })).toEqual(before);
      }
    }
    await victim.agent.get('/api/me').expect(200);
  });

  test("control: each of those requests, sent as JSON from the app's own origin, does change state", async () => {
    const count = routes().length;
    for (let i = 0; i < count; i++) {
      await fresh();
      const r = routes()[i]!;
      const before = await snapshot(kit, { counters: true });
      const res = await r
        .as()
        [r.method](r.path)
        .set('Origin', APP)
        .send(r.body ?? {});
      expect([r.path, res.status < 300]).toEqual([r.path, true]);
      expect([r.path, JSON.stringify(await snapshot(kit, { counters: true })) === JSON.stringify(before)]).toEqual([r.path, false]);
    }
  });

  test('3.5.2 text/plain, form and multipart bodies from a hostile page: 403, and 415 when the Origin is not there to judge; nothing changes', async () => {
    for (const r of routes()) {
      const json = JSON.stringify(r.body ?? {});
      const forgeries: Array<(req: request.Test) => request.Test> = [
        (req) => req.set('Content-Type', 'text/plain').send(json), // the <form enctype="text/plain"> trick
        (req) => req.type('form').send(r.body ?? { a: '1' }),
        (req) => req.field('email', victim.email).field('password', victim.password),
      ];
      for (const forge of forgeries) {
        const before = await snapshot(kit, { counters: true });
        const withOrigin = await forge(r.as()[r.method](r.path).set('Origin', EVIL));
        expect([r.path, withOrigin.status, withOrigin.body.error?.code]).toEqual([r.path, 403, 'csrf_rejected']);
        // An old browser, or a privacy proxy, that sends no Origin: the body type alone refuses it.
        const withoutOrigin = await forge(r.as()[r.method](r.path));
        expect([r.path, withoutOrigin.status, withoutOrigin.body.error?.code]).toEqual([r.path, 415, 'unsupported_media_type']);
        expect(await snapshot(kit, { counters: true })).toEqual(before);
      }
    }
  });

  test('3.5.1 no Origin but Sec-Fetch-Site cross-site (or same-site) is refused too; same-origin and none pass', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const before = await snapshot(kit, { counters: true });
      const res = await victim.agent.post('/api/auth/logout').set('Sec-Fetch-Site', site);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_rejected');
      expect(await snapshot(kit, { counters: true })).toEqual(before);
    }
    await victim.agent.get('/api/me').expect(200);
    // The app's own page (same-origin) and a typed-in request (none) are fine.
    await kit.agent().post('/api/auth/login').set('Sec-Fetch-Site', 'same-origin').send({ email: victim.email, password: victim.password }).expect(200);
    await kit.agent().post('/api/auth/login').set('Sec-Fetch-Site', 'none').send({ email: victim.email, password: victim.password }).expect(200);
  });

  test("3.5.1 the app's own origin and the allowed mobile origin succeed, even when Sec-Fetch-Site says cross-site", async () => {
    await kit
      .agent()
      .post('/api/auth/login')
      .set('Origin', APP)
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ email: victim.email, password: victim.password })
      .expect(200);
    await kit
      .agent()
      .post('/api/auth/login')
      .set('Origin', MOBILE)
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ email: victim.email, password: victim.password })
      .expect(200);
    await admin.agent.patch(`/api/admin/users/${victim.user.id}`).set('Origin', APP).send({ role: 'admin' }).expect(200);
    await victim.agent.post('/api/auth/logout').set('Origin', MOBILE).expect(204);
    await victim.agent.get('/api/me').expect(401);
  });

  test("login CSRF: a hostile page cannot sign the victim's browser into the attacker's account", async () => {
    const attacker = await kit.createUser();
    const res = await kit.agent().post('/api/auth/login').set('Origin', EVIL).send({ email: attacker.email, password: attacker.password });
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await kit.services.sessions.list(attacker.user)).toEqual([]);
  });

  test('3.5.1 a refusal says what is wrong: the answer names the refused origin, and the log also the allowed ones', async () => {
    const logged = await createTestApp({ databaseUrl, env: { APP_ORIGIN: APP, CORS_ORIGINS: MOBILE }, captureLogs: true });
    try {
      const res = await request(logged.app).post('/api/auth/logout').set('Origin', EVIL).expect(403);
      expect(res.body.error.code).toBe('csrf_rejected');
      expect(res.body.error.message).toContain(EVIL);
      expect(res.body.error.message).not.toMatch(/reload/i);
      const line = logged
        .logs()
        .split('\n')
        .find((l) => l.includes('csrf_rejected'));
      expect(JSON.parse(line!)).toMatchObject({ origin: EVIL, allowed: [APP, MOBILE], method: 'POST', path: '/api/auth/logout' });

      const site = await request(logged.app).post('/api/auth/logout').set('Sec-Fetch-Site', 'cross-site').expect(403);
      expect(site.body.error.message).toMatch(/Sec-Fetch-Site/);
    } finally {
      await logged.close();
    }
  });

  test('the check runs before routing: a state-changing request to any path from a hostile origin is 403, not 404', async () => {
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      const res = await request(kit.app)[method]('/api/some/future/route').set('Origin', EVIL).send({});
      expect(res.status).toBe(403);
    }
    await request(kit.app).post('/api/some/future/route').send({}).expect(404);
  });

  test('3.5.3 no GET changes state: GET /api/auth/logout is 405 and the session lives on; method overrides are not honoured', async () => {
    const res = await victim.agent.get('/api/auth/logout').expect(405);
    expect(res.headers.allow).toBe('POST');
    await victim.agent.get('/api/me').expect(200);
    await victim.agent.post('/api/auth/sessions').set('X-HTTP-Method-Override', 'DELETE').expect(405);
    await victim.agent.post(`/api/auth/sessions/${handle}?_method=DELETE`).expect(405);
    await victim.agent.get('/api/me').expect(200);
  });
});
