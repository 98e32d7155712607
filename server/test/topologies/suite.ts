/**
 * The representative suite: every code path that touches Redis (sign-in, GET /api/me on
 * the fast path and through Express, the session list, revoking one, the others and all,
 * a password change, a two-step sign-in, lockout, the sign-in and register limits, admin role changes and
 * revocations, readiness), for one Redis topology. topologies.test.ts runs it on a Redis
 * Cluster and on a Sentinel set.
 */
import request from 'supertest';
import type { TestApp } from '@cloakroom/server/testing';
import { awayFromStepEdge, enrolTotp, totpCode } from '../helpers/two-factor';

type Agent = ReturnType<TestApp['agent']>;

export function representativeSuite(kit: () => TestApp) {
  const login = (agent: Agent, ip: string, email: string, password: string) =>
    agent.post('/api/auth/login').set('X-Forwarded-For', ip).send({ email, password });

  test('readiness: Redis and the database answer', async () => {
    await request(kit().app).get('/readyz').expect(200);
  });

  test('sign-in, then /api/me on the fast path and through Express, and the session list', async () => {
    const who = await kit().signedInAgent();
    const before = kit().handler.stats.served;
    const fast = await who.agent.get('/api/me').expect(200);
    expect(kit().handler.stats.served).toBe(before + 1);
    const slow = await who.agent.get('/api/me?via=express').expect(200);
    expect(slow.body).toEqual(fast.body);
    const second = await kit().signedInAgent(who);
    const list = await who.agent.get('/api/auth/sessions').expect(200);
    expect((list.body.sessions as Array<{ id: string }>).map((s) => s.id).sort()).toEqual(
      [fast.body.session.id, (await second.agent.get('/api/me').expect(200)).body.session.id].sort(),
    );
  });

  test('revoking one session, the others, and all of them with a password change', async () => {
    const who = await kit().createUser();
    const [a, b, c, d] = [await kit().signedInAgent(who), await kit().signedInAgent(who), await kit().signedInAgent(who), await kit().signedInAgent(who)];
    const idOf = async (agent: Agent) => (await agent.get('/api/me').expect(200)).body.session.id as string;
    await a.agent.delete(`/api/auth/sessions/${await idOf(b.agent)}`).expect(204);
    await b.agent.get('/api/me').expect(401);
    await a.agent.delete('/api/auth/sessions').expect(200);
    await c.agent.get('/api/me').expect(401);
    await a.agent.get('/api/me').expect(200);
    const e = await kit().signedInAgent(who);
    await a.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: 'a new passphrase on every topology' }).expect(200);
    await e.agent.get('/api/me').expect(401);
    await d.agent.get('/api/me').expect(401);
    // The one that changed it holds a fresh session.
    await a.agent.get('/api/me').expect(200);
    expect((await a.agent.get('/api/auth/sessions').expect(200)).body.sessions).toHaveLength(1);
  });

  test('admin: a role change and a revocation show on the very next request', async () => {
    const admin = await kit().signedInAgent({ role: 'admin' });
    const target = await kit().signedInAgent();
    await target.agent.get('/api/admin/users').expect(403);
    await admin.agent.patch(`/api/admin/users/${target.user.id}`).send({ role: 'admin' }).expect(200);
    await target.agent.get('/api/admin/users').expect(200);
    expect((await target.agent.get('/api/me').expect(200)).body.user.role).toBe('admin');
    await admin.agent.delete(`/api/admin/users/${target.user.id}/sessions`).expect(200);
    await target.agent.get('/api/me').expect(401);
  });

  test('lockout: the third wrong password locks the (account, address) pair; another address still signs in', async () => {
    const who = await kit().createUser();
    for (let i = 0; i < 3; i++) await login(kit().agent(), '198.51.100.1', who.email, 'not the password').expect(401);
    await login(kit().agent(), '198.51.100.1', who.email, who.password).expect(429);
    await login(kit().agent(), '198.51.100.2', who.email, who.password).expect(200);
  });

  test('per-address sign-in limit: the address is refused (nothing counted against the account), and register is limited', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => kit().createUser()));
    const answers: number[] = [];
    for (const u of users) answers.push((await login(kit().agent(), '198.51.100.3', u.email, 'wrong')).status);
    expect(answers).toEqual([401, 401, 401, 401, 401, 429]);
    // The refused attempt was given back on its account's side: that account signs in
    // at once from elsewhere, its lockout count untouched.
    await login(kit().agent(), '198.51.100.4', users[5]!.email, users[5]!.password).expect(200);
    const register = (n: number) =>
      kit()
        .agent()
        .post('/api/auth/register')
        .set('X-Forwarded-For', '198.51.100.5')
        .send({ email: `reg-${Date.now()}-${n}@example.test`, password: 'registered passphrase' });
    expect([(await register(1)).status, (await register(2)).status, (await register(3)).status]).toEqual([201, 201, 429]);
  });

  test("two-step sign-in: the pending session lives in its owner's slot, a wrong code is counted, the right one signs in", async () => {
    const who = await kit().signedInAgent();
    const { secret } = await enrolTotp(who.agent);
    const agent = kit().agent();
    const first = await login(agent, '198.51.100.77', who.email, who.password).expect(200);
    expect(first.body).toEqual({ secondFactorRequired: true, methods: ['totp', 'recovery_code'] });
    await agent.get('/api/me').expect(401);
    await awayFromStepEdge();
    const wrong = (await totpCode(secret)) === '000000' ? '111111' : '000000';
    await agent.post('/api/auth/2fa/verify').set('X-Forwarded-For', '198.51.100.77').send({ code: wrong }).expect(401);
    await agent
      .post('/api/auth/2fa/verify')
      .set('X-Forwarded-For', '198.51.100.77')
      .send({ code: await totpCode(secret) })
      .expect(200);
    expect((await agent.get('/api/me').expect(200)).body.session.authMethods).toEqual(['password', 'totp']);
  });

  test('sign-out ends the session', async () => {
    const who = await kit().signedInAgent();
    await who.agent.post('/api/auth/logout').expect(204);
    await who.agent.get('/api/me').expect(401);
  });
}

/** The environment the suite expects: limits small enough to reach, addresses from
 *  X-Forwarded-For. */
export const SUITE_ENV: Record<string, string> = {
  TRUST_PROXY: 'loopback',
  LOCKOUT_THRESHOLD: '3',
  LOGIN_IP_LIMIT: '5',
  REGISTER_IP_LIMIT: '2',
};
