/**
 * Issue 8.1 (ASVS 7.4.3): a sign-in already under way when the password changes must not
 * leave a session behind. An attacker who knows the old password keeps signing in from
 * several threads while the owner changes it; a sign-in that read the user row before
 * the change and finished after it used to get a session that began after the change
 * and was missing from the index the change swept. Sessions are now bound to the
 * credential they were created from (the user's credential version, read where the
 * password was verified), so once the change has answered, no session made with the
 * old password answers anywhere.
 */
import request from 'supertest';
import { createTestApp, sleep, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { cookieHeader } from './helpers';

jest.setTimeout(60_000);

const ROUNDS = 12;
const THREADS = 4;

describe.each(testDatabases())('credential binding ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  const me = (cookie: string) => request(kit.handler).get('/api/me').set('Cookie', cookie);

  test('7.4.3 old-password sign-ins racing a password change: once the change answers, none of their sessions is alive', async () => {
    let alive = 0;
    let raced = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const who = await kit.signedInAgent();
      let changed = false;
      const cookies: string[] = [];
      // The attacker's threads: sign in with the old password, back to back, until the
      // owner's change has answered.
      const attacker = Array.from({ length: THREADS }, async () => {
        while (!changed) {
          const res = await request(kit.handler).post('/api/auth/login').send({ email: who.email, password: who.password });
          if (res.status === 200) cookies.push(cookieHeader(kit, res));
        }
      });
      await sleep(5 + (round % 4) * 3);
      await who.agent
        .post('/api/auth/password')
        .send({ currentPassword: who.password, newPassword: `a new passphrase ${round}` })
        .expect(200);
      changed = true;
      await Promise.all(attacker);
      // Sign-ins that finished after the change answered raced it.
      raced += cookies.length;
      for (const cookie of cookies) if ((await me(cookie)).status === 200) alive++;
      // The old password itself no longer works; the owner's own session does.
      await request(kit.handler).post('/api/auth/login').send({ email: who.email, password: who.password }).expect(401);
      await who.agent.get('/api/me').expect(200);
    }
    expect(raced).toBeGreaterThan(0);
    expect(alive).toBe(0);
  });
});
