/**
 * ASVS 5.0 V7.1.2 (issue 8.6): how many sessions one account may hold, and what happens
 * at the limit. Without a cap an account could hold any number of sessions (149 in
 * 10 s, each with an audit row). With SESSION_MAX_PER_USER (default 100), a new
 * session beyond the cap ends the account's least recently used one, and the owner's
 * audit trail says so.
 */
import request from 'supertest';
import { createTestApp, sleep, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { loadConfig } from '../../src/config/env';
import { signIn } from './helpers';

jest.setTimeout(30_000);

describe.each(testDatabases())('V7.1.2 sessions per account ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    // Activity is written on every request, so "least recently used" is exact.
    kit = await createTestApp({ databaseUrl, env: { SESSION_MAX_PER_USER: '3', SESSION_TOUCH_INTERVAL: '0' } });
  });
  afterAll(() => kit.close());

  const me = (cookie: string) => request(kit.handler).get('/api/me').set('Cookie', cookie);

  test('7.1.2 a session beyond the cap ends the least recently used one, with a security event; the others live on', async () => {
    const who = await kit.createUser();
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await signIn(kit, who));
    // The first one is used again, so the second is now the least recently used.
    await sleep(20);
    await sessions[0]!.agent.get('/api/auth/sessions').expect(200);
    const extra = await signIn(kit, who);

    await me(sessions[1]!.cookie).expect(401);
    for (const s of [sessions[0]!, sessions[2]!, extra]) await me(s.cookie).expect(200);
    expect(await kit.infra.redis.zCard(kit.services.keys.userSessions(who.user.id))).toBe(3);

    await kit.services.events.settled();
    const ended = (await kit.services.events.recent(who.user.id)).find((e) => e.type === 'session_revoked');
    expect(ended?.details).toMatchObject({ reason: 'session_limit', limit: 3 });
  });

  test('7.1.2 however many sign-ins, the account never holds more than the cap', async () => {
    const who = await kit.createUser();
    const all = [];
    for (let i = 0; i < 10; i++) all.push(await signIn(kit, who));
    const alive = (await Promise.all(all.map((s) => me(s.cookie)))).filter((r) => r.status === 200);
    expect(alive).toHaveLength(3);
    expect((await all.at(-1)!.agent.get('/api/auth/sessions').expect(200)).body.sessions).toHaveLength(3);
  });

  test('7.1.2 the documented default is 100', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).session.maxPerUser).toBe(100);
  });
});
