/**
 * Password reset over real SMTP (the kit's catcher), real Redis, SQLite and PostgreSQL
 * (ASVS 5.0 V6.4.1-6.4.3): the whole flow; no enumeration on forgot; tokens single-use,
 * expiring, voided by a newer one or a password change, refused when altered, never
 * stored or logged in the clear; every session ended, including a sign-in racing it.
 */
import request from 'supertest';
import { createTestApp, sleep, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { databaseText, eventually, redisValues } from './helpers';

const NEW_PASSWORD = 'a brand new passphrase 42';
const forgot = (kit: TestApp, email: string) => request(kit.app).post('/api/auth/password/forgot').send({ email });
const reset = (kit: TestApp, token: string, newPassword = NEW_PASSWORD) => request(kit.app).post('/api/auth/password/reset').send({ token, newPassword });
const login = (kit: TestApp, email: string, password: string) => request(kit.app).post('/api/auth/login').send({ email, password });

async function resetToken(kit: TestApp, email: string): Promise<string> {
  const before = kit.mails().length;
  await forgot(kit, email).expect(202);
  const mail = await kit.lastMail(email, { after: before });
  expect(mail.token).toBeDefined();
  return mail.token!;
}

describe.each(testDatabases())('password reset ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, captureLogs: true });
  });
  afterAll(() => kit.close());

  test('forgot -> mailed link with the token in the fragment -> reset -> every session ended -> sign in with the new password only', async () => {
    const { agent, email, password } = await kit.signedInAgent();
    const other = await login(kit, email, password).expect(200);

    await forgot(kit, email).expect(202, {});
    const mail = await kit.lastMail(email);
    expect(mail.subject).toMatch(/reset/i);
    const link = new URL(mail.links[0]!);
    expect(`${link.origin}${link.pathname}`).toBe(`${kit.config.appOrigin}/reset-password`);
    expect(link.search).toBe('');
    expect(link.hash).toMatch(/^#token=[A-Za-z0-9_-]{43}$/);

    const before = kit.mails().length;
    await reset(kit, mail.token!).expect(200, {});
    // Not signed in by the reset; every earlier session is over.
    await agent.get('/api/me').expect(401);
    await request(kit.app).get('/api/me').set('Cookie', other.headers['set-cookie']!).expect(401);
    await login(kit, email, password).expect(401);
    await login(kit, email, NEW_PASSWORD).expect(200);

    const notice = await kit.lastMail(email, { after: before });
    expect(notice.subject).toMatch(/password was changed/i);
    expect(notice.token).toBeUndefined();
  });

  test('forgot answers a known and an unknown address alike (status, body, headers), and mails only the known one', async () => {
    const known = await kit.createUser();
    const unknown = `nobody-${Date.now()}@example.test`;
    const before = kit.mails().length;
    const a = await forgot(kit, unknown);
    const b = await forgot(kit, known.email);
    const shape = (r: request.Response) => ({
      status: r.status,
      body: r.body as unknown,
      headers: Object.keys(r.headers)
        .filter((h) => h !== 'x-request-id' && h !== 'date')
        .sort(),
    });
    expect(shape(a)).toEqual(shape(b));
    expect(a.status).toBe(202);
    await kit.lastMail(known.email, { after: before });
    // The known address's mail has arrived; the unknown one's request (made first) sent nothing.
    expect(
      kit
        .mails()
        .slice(before)
        .flatMap((m) => m.to),
    ).not.toContain(unknown);
  });

  test('a token works once: used twice, voided by a newer one, altered, or made up -> 400 invalid_token with one message', async () => {
    const who = await kit.createUser();
    const older = await resetToken(kit, who.email);
    const newer = await resetToken(kit, who.email);
    const voided = await reset(kit, older).expect(400);
    await reset(kit, newer).expect(200);
    const reused = await reset(kit, newer).expect(400);
    const altered = await reset(kit, `${newer.slice(0, -1)}${newer.endsWith('A') ? 'B' : 'A'}`).expect(400);
    const madeUp = await reset(kit, 'x').expect(400);
    for (const res of [voided, reused, altered, madeUp]) {
      expect(res.body).toEqual(voided.body);
      expect((res.body as { error: { code: string } }).error.code).toBe('invalid_token');
    }
  });

  test('a weak new password is refused (400 validation_failed) without spending the token', async () => {
    const who = await kit.createUser();
    const token = await resetToken(kit, who.email);
    const weak = await reset(kit, token, 'password').expect(400);
    expect((weak.body as { error: { code: string } }).error.code).toBe('validation_failed');
    await reset(kit, token).expect(200);
  });

  test('a password change voids reset links mailed before it', async () => {
    const { agent, email, password } = await kit.signedInAgent();
    const token = await resetToken(kit, email);
    await agent.post('/api/auth/password').send({ currentPassword: password, newPassword: NEW_PASSWORD }).expect(200);
    await reset(kit, token, 'yet another passphrase 7').expect(400);
    await login(kit, email, NEW_PASSWORD).expect(200);
  });

  test('the token is in neither the database nor Redis nor any log line', async () => {
    const who = await kit.createUser();
    const token = await resetToken(kit, who.email);
    expect(await databaseText(kit)).not.toContain(token);
    expect((await redisValues(kit)).join('\n')).not.toContain(token);
    await reset(kit, token).expect(200);
    await kit.services.events.settled();
    expect(kit.logs()).not.toContain(token);
    expect(kit.logs()).toContain('mail sent');
  });

  test('a sign-in racing the reset never leaves a session that outlives it', async () => {
    for (let round = 0; round < 3; round++) {
      const who = await kit.createUser();
      const token = await resetToken(kit, who.email);
      const [signIn] = await Promise.all([login(kit, who.email, who.password), reset(kit, token).expect(200)]);
      if (signIn.status === 200) await request(kit.app).get('/api/me').set('Cookie', signIn.headers['set-cookie']!).expect(401);
      else expect(signIn.status).toBe(401);
    }
  });

  test('the reset is in the audit trail (requested, then done)', async () => {
    const who = await kit.createUser();
    const token = await resetToken(kit, who.email);
    await reset(kit, token).expect(200);
    const agent = request.agent(kit.app);
    await agent.post('/api/auth/login').send({ email: who.email, password: NEW_PASSWORD }).expect(200);
    await kit.services.events.settled();
    const types = ((await agent.get('/api/auth/events').expect(200)).body as { events: Array<{ type: string }> }).events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['password_reset_requested', 'password_reset']));
  });
});

describe('password reset limits and lifetimes', () => {
  test('an expired link is refused like any other bad token', async () => {
    const kit = await createTestApp({ env: { RESET_TOKEN_TTL: '0.3' } });
    try {
      const who = await kit.createUser();
      const token = await resetToken(kit, who.email);
      await sleep(400);
      const res = await reset(kit, token).expect(400);
      expect((res.body as { error: { code: string } }).error.code).toBe('invalid_token');
    } finally {
      await kit.close();
    }
  });

  test('per email: the limit counts known and unknown addresses alike (429 with Retry-After)', async () => {
    const kit = await createTestApp({ env: { FORGOT_EMAIL_LIMIT: '2' } });
    try {
      const known = (await kit.createUser()).email;
      const unknown = `nobody-${Date.now()}@example.test`;
      for (const email of [known, unknown]) {
        await forgot(kit, email).expect(202);
        await forgot(kit, ` ${email.toUpperCase()} `).expect(202);
        const third = await forgot(kit, email).expect(429);
        expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      }
    } finally {
      await kit.close();
    }
  });

  test('per client address, across emails', async () => {
    const kit = await createTestApp({ env: { FORGOT_IP_LIMIT: '3' } });
    try {
      for (let i = 0; i < 3; i++) await forgot(kit, `someone-${i}@example.test`).expect(202);
      await forgot(kit, 'someone-else@example.test').expect(429);
      // The catcher saw nothing: none of these addresses has an account.
      await eventually(async () => (await kit.services.outbox.pending()) === 0);
      expect(kit.mails()).toHaveLength(0);
    } finally {
      await kit.close();
    }
  });
});
