/**
 * ASVS 5.0 V7.3 Session timeout, on the account-security routes: an idle session
 * (7.3.1) and one past its absolute lifetime (7.3.2) open none of them and are not
 * listed as active. The limits themselves, on /api/me and in Redis's TTLs, are proven in
 * expiry.test.ts. Raw cookies, not an agent's jar: a jar drops a cookie by its Expires
 * (whole seconds) and would end the session on the client's side, proving nothing.
 */
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { manualClock } from '../helpers/clock';
import { signIn } from './helpers';

describe.each(testDatabases())('V7.3 session timeouts ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { SESSION_IDLE_TIMEOUT: '1', SESSION_ABSOLUTE_TIMEOUT: '2.5', SESSION_TOUCH_INTERVAL: '0.1' } });
  });
  afterAll(() => kit.close());
  // The server's rule on these routes; Redis's expiry of the records is expiry.test.ts's.
  const clock = manualClock();

  const sessions = (cookie: string) => request(kit.app).get('/api/auth/sessions').set('Cookie', cookie);

  test("7.3.1 an idle session opens no account-security route and drops out of the owner's list", async () => {
    const who = await kit.createUser();
    const idle = await signIn(kit, who, { 'User-Agent': 'Idle/1.0' });
    const busy = await signIn(kit, who, { 'User-Agent': 'Busy/1.0' });
    for (let i = 0; i < 4; i++) {
      clock.advance(350);
      await sessions(busy.cookie).expect(200); // activity keeps this one alive
    }
    await sessions(idle.cookie).expect(401);
    await request(kit.app).delete('/api/auth/sessions').set('Cookie', idle.cookie).expect(401);
    await request(kit.app)
      .post('/api/auth/password')
      .set('Cookie', idle.cookie)
      .send({ currentPassword: who.password, newPassword: 'idle session attempt' })
      .expect(401);
    const list = (await sessions(busy.cookie).expect(200)).body.sessions as Array<{ userAgent: string }>;
    expect(list.map((s) => s.userAgent)).toEqual(['Busy/1.0']);
  });

  test('7.3.2 a session in constant use on the account routes still ends at its absolute lifetime', async () => {
    const who = await kit.createUser();
    const started = Date.now();
    const { cookie } = await signIn(kit, who);
    let endedAt: number | undefined;
    while (Date.now() - started < 4000) {
      const res = await sessions(cookie);
      if (res.status === 401) {
        endedAt = Date.now() - started;
        break;
      }
      expect(res.status).toBe(200);
      clock.advance(250);
    }
    expect(endedAt).toBeGreaterThanOrEqual(2400);
    expect(endedAt).toBeLessThan(3300);
    await request(kit.app).get('/api/auth/events').set('Cookie', cookie).expect(401);
    expect(await kit.services.sessions.list(who.user)).toEqual([]);
  });
});
