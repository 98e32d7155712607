/**
 * ASVS 5.0 V7.5 Defenses against session abuse: re-authentication before a sensitive
 * change (7.5.1), and users viewing and ending their sessions (7.5.2). The new session
 * ID after a password change is 7.2.4, in v7-2-session-tokens.test.ts.
 *
 * Deviation, documented in docs/security.md: 7.5.2 asks for the credentials to be entered
 * again before ending sessions; the API contract (DESIGN.md) ends them with the session
 * alone, so a stolen session can end the owner's other sessions (not read them).
 */
import request from 'supertest';
import { sessionsResponseSchema } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { signIn, sessionKey, setCookies, snapshot } from './helpers';

describe.each(testDatabases())('V7.5 re-authentication and session management ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  const me = (cookie: string) => request(kit.app).get('/api/me').set('Cookie', cookie);

  test('7.5.1 changing the password needs the current one: missing → 400, wrong → 401 invalid_credentials, and nothing changes', async () => {
    const who = await kit.createUser();
    const a = await signIn(kit, who);
    const b = await signIn(kit, who);
    const before = await snapshot(kit);

    const missing = await a.agent.post('/api/auth/password').send({ newPassword: 'a new passphrase here' }).expect(400);
    expect(missing.body.error.code).toBe('validation_failed');
    expect(missing.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'currentPassword' })]));
    const wrong = await a.agent
      .post('/api/auth/password')
      .send({ currentPassword: `${who.password}x`, newPassword: 'a new passphrase here' })
      .expect(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(setCookies(wrong)).toEqual([]);

    expect(await snapshot(kit)).toEqual(before); // same hash, same sessions, no event
    await me(a.cookie).expect(200); // the caller is not signed out by a wrong guess
    await me(b.cookie).expect(200);
  });

  test('7.5.2 users see every active session: handle, times, user agent, address, and which is the current one', async () => {
    const who = await kit.createUser();
    const phone = await signIn(kit, who, { 'User-Agent': 'Phone/1.0' });
    const laptop = await signIn(kit, who, { 'User-Agent': 'Laptop/2.0' });

    const res = await laptop.agent.get('/api/auth/sessions').expect(200);
    const { sessions } = sessionsResponseSchema.parse(res.body);
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => s.userAgent).sort()).toEqual(['Laptop/2.0', 'Phone/1.0']);
    expect(sessions.filter((s) => s.current).map((s) => s.userAgent)).toEqual(['Laptop/2.0']);
    const mine = await laptop.agent.get('/api/me').expect(200);
    expect(sessions.find((s) => s.current)!.id).toBe(mine.body.session.id);
    for (const s of sessions) {
      expect(s.ip).toMatch(/127\.0\.0\.1|::1/);
      expect(Date.parse(s.expiresAt)).toBeGreaterThan(Date.parse(s.lastSeenAt));
      expect(Date.parse(s.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(s.createdAt));
      // Handles, never session IDs.
      expect([phone.sid, laptop.sid]).not.toContain(s.id);
    }
  });

  test('7.5.2 ending one session: that device gets 401 on its next request; a handle that is not yours is 404 and ends nothing', async () => {
    const who = await kit.createUser();
    const other = await kit.signedInAgent();
    const phone = await signIn(kit, who, { 'User-Agent': 'Phone/1.0' });
    const laptop = await signIn(kit, who, { 'User-Agent': 'Laptop/2.0' });
    const list = (await laptop.agent.get('/api/auth/sessions').expect(200)).body.sessions as Array<{ id: string; userAgent: string }>;
    const phoneHandle = list.find((s) => s.userAgent === 'Phone/1.0')!.id;

    // Someone else's valid handle, a malformed one, and a made-up one: all 404, nothing ends.
    const before = await snapshot(kit);
    for (const id of [phoneHandle, 'not-a-handle', 'A'.repeat(43)]) {
      const res = await other.agent.delete(`/api/auth/sessions/${id}`).expect(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(await snapshot(kit)).toEqual(before);
    await me(phone.cookie).expect(200);

    await laptop.agent.delete(`/api/auth/sessions/${phoneHandle}`).expect(204);
    await me(phone.cookie).expect(401);
    await me(laptop.cookie).expect(200);
    await laptop.agent.delete(`/api/auth/sessions/${phoneHandle}`).expect(404); // gone already
  });

  test('7.5.2 ending all other sessions keeps only the current one', async () => {
    const who = await kit.createUser();
    const others = await Promise.all([signIn(kit, who), signIn(kit, who), signIn(kit, who)]);
    const current = await signIn(kit, who);

    const res = await current.agent.delete('/api/auth/sessions').expect(200);
    expect(res.body).toEqual({ revoked: 3 });
    for (const o of others) await me(o.cookie).expect(401);
    const left = await current.agent.get('/api/auth/sessions').expect(200);
    expect(left.body.sessions).toHaveLength(1);
    expect(left.body.sessions[0].current).toBe(true);
    expect((await current.agent.delete('/api/auth/sessions').expect(200)).body).toEqual({ revoked: 0 });
  });

  test('7.5.2 ending the current session by its handle signs the caller out and clears the cookie', async () => {
    const who = await kit.createUser();
    const s = await signIn(kit, who);
    const handle = (await s.agent.get('/api/me').expect(200)).body.session.id as string;
    const res = await s.agent.delete(`/api/auth/sessions/${handle}`).expect(204);
    const cleared = setCookies(res).filter((c) => c.name === kit.services.cookieName);
    expect(cleared).toHaveLength(1);
    expect(cleared[0]!.value).toBe('');
    await me(s.cookie).expect(401);
    expect(await kit.infra.redis.exists(sessionKey(kit, s.sid))).toBe(0);
  });

  test('7.5.2 the list shows live sessions only: one past its end is left out even before Redis drops it', async () => {
    const who = await kit.createUser();
    const old = await signIn(kit, who, { 'User-Agent': 'Old/1.0' });
    const current = await signIn(kit, who, { 'User-Agent': 'Current/1.0' });
    const key = sessionKey(kit, old.sid);
    const stored = JSON.parse((await kit.infra.redis.get(key))!);
    stored.meta.lastSeenAt -= kit.config.session.idleTimeoutMs + 1000; // idle for too long
    await kit.infra.redis.set(key, JSON.stringify(stored), { KEEPTTL: true });

    const res = await current.agent.get('/api/auth/sessions').expect(200);
    expect(res.body.sessions.map((s: { userAgent: string }) => s.userAgent)).toEqual(['Current/1.0']);
    await me(old.cookie).expect(401);
  });

  test('7.5.2 session routes need a session: 401 when signed out', async () => {
    await request(kit.app).get('/api/auth/sessions').expect(401);
    await request(kit.app).delete('/api/auth/sessions').expect(401);
    await request(kit.app)
      .delete(`/api/auth/sessions/${'A'.repeat(43)}`)
      .expect(401);
    await request(kit.app).post('/api/auth/password').send({ currentPassword: 'x', newPassword: 'long enough passphrase' }).expect(401);
  });
});
