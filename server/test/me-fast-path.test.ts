/**
 * The GET /api/me fast path (http/me-fast-path.ts) answers in front of Express. These
 * tests prove that it is the same route, only faster:
 *   - its answer equals Express's answer, status, body and every header;
 *   - it hands everything but the plain case to Express (CORS, no or bad cookie, a touch
 *     that is due, other methods and paths);
 *   - nothing is cached: a revocation, a role change, a password change and an expiry
 *     all show on the very next request, which the fast path itself serves.
 */
import type { MeResponse } from '@cloakroom/shared';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import request from 'supertest';
import { manualClock } from './helpers/clock';

const ORIGIN = 'https://mobile.example.test';

describe('the fast path answers as Express would', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ env: { CORS_ORIGINS: ORIGIN } });
  });
  afterAll(() => kit.close());

  /** Headers that differ between any two answers. */
  const comparable = (headers: Record<string, string>) => {
    const { date: _d, 'x-request-id': _id, connection: _c, 'keep-alive': _k, ...rest } = headers;
    return rest;
  };

  test('same status, body and headers as the Express route', async () => {
    const { agent } = await kit.signedInAgent();
    const before = { ...kit.handler.stats };
    const fast = await agent.get('/api/me').expect(200);
    expect(kit.handler.stats.served).toBe(before.served + 1);
    // A query string sends the same request through Express (the fast path takes only
    // the exact path), where every middleware of app.ts runs.
    const slow = await agent.get('/api/me?via=express').expect(200);
    expect(kit.handler.stats.served).toBe(before.served + 1);
    expect(kit.handler.stats.passed).toBeGreaterThan(before.passed);

    expect(fast.body).toEqual(slow.body);
    expect(comparable(fast.headers)).toEqual(comparable(slow.headers));
    expect(fast.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a well-formed X-Request-Id is kept, as on every other route', async () => {
    const { agent } = await kit.signedInAgent();
    const res = await agent.get('/api/me').set('X-Request-Id', 'trace-123.abc').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-123.abc');
  });

  test('anything but the plain case goes to Express', async () => {
    const { agent } = await kit.signedInAgent();
    const served = kit.handler.stats.served;
    // CORS decisions stay with the cors middleware.
    const cors = await agent.get('/api/me').set('Origin', ORIGIN).expect(200);
    expect(cors.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(cors.headers['access-control-allow-credentials']).toBe('true');
    // No cookie, a forged one, two of them: Express's 401 in the contract's shape.
    for (const cookie of [undefined, 'sid=s:forged.signature', 'sid=a; sid=b']) {
      const req = request(kit.handler).get('/api/me');
      const res = await (cookie ? req.set('Cookie', cookie) : req).expect(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
    await agent.head('/api/me').expect(200);
    await agent.get('/api/me/').expect(200);
    expect(kit.handler.stats.served).toBe(served);
  });
});

describe('nothing is cached: changes show on the very next request through the fast path', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp();
  });
  afterAll(() => kit.close());

  /** GET /api/me, and whether the fast path answered it. */
  async function me(agent: ReturnType<TestApp['agent']>, status: number) {
    const served = kit.handler.stats.served;
    const res = await agent.get('/api/me').expect(status);
    return { body: res.body as MeResponse, fast: kit.handler.stats.served === served + 1 };
  }

  test('a session revoked from another device is signed out on its next request', async () => {
    const phone = await kit.signedInAgent();
    const laptop = await kit.signedInAgent(phone);
    const laptopMe = await me(laptop.agent, 200);
    expect(laptopMe.fast).toBe(true);
    await phone.agent.delete(`/api/auth/sessions/${laptopMe.body.session.id}`).expect(204);
    expect((await me(laptop.agent, 401)).fast).toBe(false);
    expect((await me(phone.agent, 200)).fast).toBe(true);
  });

  test('"sign out everywhere else" ends the other sessions at once', async () => {
    const a = await kit.signedInAgent();
    const b = await kit.signedInAgent(a);
    expect((await me(b.agent, 200)).fast).toBe(true);
    await a.agent.delete('/api/auth/sessions').expect(200);
    await me(b.agent, 401);
  });

  test('a role change shows on the next request, served by the fast path', async () => {
    const admin = await kit.signedInAgent({ role: 'admin' });
    const user = await kit.signedInAgent();
    expect(await me(user.agent, 200)).toMatchObject({ fast: true, body: { user: { role: 'user' } } });
    await admin.agent.patch(`/api/admin/users/${user.user.id}`).send({ role: 'admin' }).expect(200);
    expect(await me(user.agent, 200)).toMatchObject({ fast: true, body: { user: { role: 'admin' } } });
    await admin.agent.patch(`/api/admin/users/${user.user.id}`).send({ role: 'user' }).expect(200);
    expect(await me(user.agent, 200)).toMatchObject({ fast: true, body: { user: { role: 'user' } } });
  });

  test('a password change ends the other sessions on their next request', async () => {
    const here = await kit.signedInAgent({ password: 'the old passphrase 1' });
    const there = await kit.signedInAgent(here);
    expect((await me(there.agent, 200)).fast).toBe(true);
    await here.agent.post('/api/auth/password').send({ currentPassword: 'the old passphrase 1', newPassword: 'a brand new passphrase 2' }).expect(200);
    await me(there.agent, 401);
  });
});

describe('expiry through the fast path', () => {
  let kit: TestApp;
  beforeAll(async () => {
    // No touch within the test, so every request is the fast path's until the limit.
    kit = await createTestApp({ env: { SESSION_IDLE_TIMEOUT: '1', SESSION_ABSOLUTE_TIMEOUT: '2', SESSION_TOUCH_INTERVAL: '600' } });
  });
  afterAll(() => kit.close());
  // The fast path's own check, not Redis's expiry: the record is still there.
  const clock = manualClock();

  test('an idle session is refused on the first request after its idle limit', async () => {
    const { agent } = await kit.signedInAgent();
    const served = kit.handler.stats.served;
    await agent.get('/api/me').expect(200);
    expect(kit.handler.stats.served).toBe(served + 1);
    clock.advance(1_100);
    await agent.get('/api/me').expect(401);
    expect(kit.handler.stats.served).toBe(served + 1);
  });

  test('a touch that is due goes through express-session, which writes it', async () => {
    const touching = await createTestApp({ env: { SESSION_IDLE_TIMEOUT: '60', SESSION_TOUCH_INTERVAL: '0.2' } });
    try {
      const { agent } = await touching.signedInAgent();
      const first = (await agent.get('/api/me').expect(200)).body as MeResponse;
      clock.advance(300);
      const passed = touching.handler.stats.passed;
      const second = (await agent.get('/api/me').expect(200)).body as MeResponse;
      expect(touching.handler.stats.passed).toBe(passed + 1);
      expect(Date.parse(second.session.idleExpiresAt)).toBeGreaterThan(Date.parse(first.session.idleExpiresAt));
      // Written: the next request sees the new idle deadline and needs no touch.
      const third = (await agent.get('/api/me').expect(200)).body as MeResponse;
      expect(third.session.idleExpiresAt).toBe(second.session.idleExpiresAt);
    } finally {
      await touching.close();
    }
  });
});
