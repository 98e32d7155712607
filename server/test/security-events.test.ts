/** The per-user audit trail: GET /api/auth/events lists the caller's own recent security
 *  events (newest first, at most 50) with time, address and user agent. Events are
 *  written for real accounts only, and writing one never breaks the action it records. */
import { sql } from 'kysely';
import request from 'supertest';
import { eventsResponseSchema } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { RECENT_EVENTS } from '../src/events/security-events';

const UA = { 'User-Agent': 'AuditTest/1.0' };

describe.each(testDatabases())('security events on $name', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { TRUST_PROXY: 'loopback', LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_DELAY: '0.05' } });
  });
  afterAll(() => kit.close());

  const events = async (agent: ReturnType<TestApp['agent']>) => {
    await kit.services.events.settled();
    return eventsResponseSchema.parse((await agent.get('/api/auth/events').expect(200)).body).events;
  };

  test('each security-relevant action of a user is in their trail, newest first, with time, address and user agent', async () => {
    const email = `trail-${Date.now()}@example.test`;
    const password = 'trail passphrase one';
    const from = (ip: string) => ({ ...UA, 'X-Forwarded-For': ip });
    const me = kit.agent();
    const started = Date.now();
    await me.post('/api/auth/register').set(from('203.0.113.1')).send({ email, password }).expect(201);
    await kit.agent().post('/api/auth/login').set(from('203.0.113.2')).send({ email, password: 'wrong one here' }).expect(401);
    const phone = kit.agent();
    await phone.post('/api/auth/login').set(from('203.0.113.3')).send({ email, password }).expect(200);
    await phone.post('/api/auth/logout').set(from('203.0.113.3')).expect(204);
    const laptop = kit.agent();
    await laptop.post('/api/auth/login').set(from('203.0.113.4')).send({ email, password }).expect(200);
    const handle = (await laptop.get('/api/me').expect(200)).body.session.id;
    await me.delete(`/api/auth/sessions/${handle}`).set(from('203.0.113.1')).expect(204);
    await me.post('/api/auth/password').set(from('203.0.113.1')).send({ currentPassword: password, newPassword: 'trail passphrase two' }).expect(200);
    const userId = (await me.get('/api/me').expect(200)).body.user.id as string;
    const admin = await kit.signedInAgent({ role: 'admin' });
    await admin.agent.patch(`/api/admin/users/${userId}`).set(from('198.51.100.9')).send({ role: 'admin' }).expect(200);

    const trail = await events(me);
    expect(trail.map((e) => e.type)).toEqual([
      'role_changed',
      'password_changed',
      'session_revoked',
      'login_succeeded',
      'logout',
      'login_succeeded',
      'login_failed',
      'registered',
    ]);
    expect(trail.map((e) => e.ip)).toEqual([
      '198.51.100.9',
      '203.0.113.1',
      '203.0.113.1',
      '203.0.113.4',
      '203.0.113.3',
      '203.0.113.3',
      '203.0.113.2',
      '203.0.113.1',
    ]);
    for (const e of trail) {
      expect(Date.parse(e.at)).toBeGreaterThanOrEqual(started - 1000);
      expect(Date.parse(e.at)).toBeLessThanOrEqual(Date.now());
    }
    expect(trail.slice(1).map((e) => e.userAgent)).toEqual(new Array(7).fill('AuditTest/1.0'));
    expect(trail[0]!.details).toEqual({ from: 'user', to: 'admin', by: admin.user.id });
    expect(trail[1]!.details).toEqual({ otherSessionsEnded: 0 });
    expect(trail[2]!.details).toEqual({ session: handle, current: false });
    // Nothing secret in the trail.
    expect(JSON.stringify(trail)).not.toMatch(/passphrase|argon2|wrong one/);
  });

  test('a lockout and an admin ending the sessions are recorded too', async () => {
    const who = await kit.signedInAgent();
    for (let i = 0; i < 3; i++)
      await kit.agent().post('/api/auth/login').set('X-Forwarded-For', '192.0.2.7').send({ email: who.email, password: 'not it at all' }).expect(401);
    const admin = await kit.signedInAgent({ role: 'admin' });
    await admin.agent.delete(`/api/admin/users/${who.user.id}/sessions`).expect(200);
    const fresh = await kit.signedInAgent(who);
    const trail = await events(fresh.agent);
    expect(trail.map((e) => e.type).slice(0, 3)).toEqual(['login_succeeded', 'session_revoked', 'account_locked']);
    expect(trail[1]!.details).toEqual({ count: 1, by: admin.user.id });
    expect(trail[2]).toMatchObject({ ip: '192.0.2.7', details: { scope: 'account_and_address', consecutiveFailures: 3 } });
  });

  test(`the list is the caller's own and at most ${RECENT_EVENTS} long; signed out it is 401`, async () => {
    const who = await kit.signedInAgent();
    const other = await kit.signedInAgent();
    for (let i = 0; i < RECENT_EVENTS + 5; i++) await kit.services.events.record(who.user.id, 'login_failed', { ip: '192.0.2.1', userAgent: null });
    const mine = await events(who.agent);
    expect(mine).toHaveLength(RECENT_EVENTS);
    const theirs = await events(other.agent);
    expect(theirs.map((e) => e.type)).toEqual(['login_succeeded']);
    await request(kit.app).get('/api/auth/events').expect(401);
  });

  test('recording never breaks the action it records: with the events table gone, every action still works', async () => {
    const broken = await createTestApp({ databaseUrl, captureLogs: true });
    try {
      const who = await broken.createUser();
      await sql`drop table security_events`.execute(broken.infra.db);
      const agent = broken.agent();
      await agent.post('/api/auth/login').send({ email: who.email, password: 'not the password' }).expect(401);
      await agent.post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200);
      await agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: 'still works passphrase' }).expect(200);
      await agent.delete('/api/auth/sessions').expect(200);
      await agent.post('/api/auth/logout').expect(204);
      await broken
        .agent()
        .post('/api/auth/register')
        .send({ email: `still-${Date.now()}@example.test`, password: 'still works passphrase' })
        .expect(201);
      await broken.services.events.settled();
      expect(broken.logs()).toMatch(/security event not recorded/);
    } finally {
      await broken.close();
    }
  });
});
