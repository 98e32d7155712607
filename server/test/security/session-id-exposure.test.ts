/**
 * The session ID leaves the server only in Set-Cookie (ASVS 5.0 3.3.4, 14.2.1): never in
 * a response body or another header, never accepted from the URL, never in a log line,
 * across the whole account-security flow (sign-up, sessions, events, password change,
 * admin work, revocation, logout) and its failures. Login alone: login.test.ts.
 */
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { EVIL, sessionIdOf, sessionSetCookie } from './helpers';

describe.each(testDatabases())('session ID exposure ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, captureLogs: true, env: { LOG_LEVEL: 'debug', PASSWORD_CHANGE_LIMIT: '1' } });
  });
  afterAll(() => kit.close());

  test('3.3.4 / 14.2.1 no body, header (but Set-Cookie) or log line carries a session ID or cookie value, and the URL is never a way in', async () => {
    const secrets: string[] = [];
    const answers: request.Response[] = [];
    /** Remembers every session ID and cookie value an answer sets. */
    const keep = (res: request.Response) => {
      answers.push(res);
      const cookie = sessionSetCookie(kit, res);
      if (cookie) secrets.push(sessionIdOf(kit, res), cookie.value, cookie.pair.slice(cookie.pair.indexOf('=') + 1));
      return res;
    };
    const password = 'exposure canary passphrase';
    const email = `exposure-${Date.now()}@example.test`;
    const user = kit.agent();
    keep(await user.post('/api/auth/register').send({ email, password }).expect(201));
    const phone = kit.agent();
    keep(await phone.post('/api/auth/login').send({ email, password }).expect(200));
    keep(await user.get('/api/me').expect(200));
    keep(await user.get('/api/auth/sessions').expect(200));
    keep(await user.get('/api/auth/events').expect(200));
    keep(await user.post('/api/auth/password').send({ currentPassword: 'wrong canary guess', newPassword: 'second canary passphrase' }).expect(401));
    keep(await user.post('/api/auth/password').send({ currentPassword: password, newPassword: 'second canary passphrase' }).expect(429));
    const admin = await kit.signedInAgent({ role: 'admin' });
    keep(await admin.agent.get('/api/admin/users').expect(200));
    const userId = answers[0]!.body.user.id as string;
    keep(await admin.agent.patch(`/api/admin/users/${userId}`).send({ role: 'admin' }).expect(200));
    keep(await admin.agent.delete(`/api/admin/users/${userId}/sessions`).expect(200));
    const again = kit.agent();
    keep(await again.post('/api/auth/login').send({ email, password }).expect(200));
    keep(await again.post('/api/auth/logout').set('Origin', EVIL).expect(403));
    keep(await again.delete('/api/auth/sessions').expect(200));
    expect(secrets.length).toBeGreaterThanOrEqual(9);

    // Handing a session ID over in the URL gets nobody in, and is not logged either.
    const [sid, value] = secrets;
    for (const query of [`sid=${sid}`, `sid=${encodeURIComponent(value!)}`, `connect.sid=${encodeURIComponent(value!)}`, `session=${sid}`]) {
      keep(await request(kit.app).get(`/api/me?${query}`).expect(401));
      keep(await request(kit.app).get(`/api/auth/sessions?${query}`).expect(401));
    }
    keep(await again.post('/api/auth/logout').expect(204));

    for (const res of answers) {
      const { 'set-cookie': _cookie, ...headers } = res.headers;
      const visible = JSON.stringify(headers) + res.text;
      for (const secret of secrets) expect(visible).not.toContain(secret);
    }
    const logs = kit.logs();
    expect(logs).toMatch(/\/api\/admin\/users/); // the requests were logged
    for (const secret of [...secrets, password, 'canary']) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/\$argon2/);
  });
});
