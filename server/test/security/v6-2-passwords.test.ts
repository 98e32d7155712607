/**
 * ASVS 5.0 V6.2 Password security for the password change (POST /api/auth/password),
 * plus what sign-up tests do not cover. The sign-up side of 6.2.1, 6.2.4, 6.2.5, 6.2.8
 * and 6.2.9 (length, common list, no composition rules, exactly as typed, 64 emoji,
 * the byte cap before hashing) is proven in passwords.test.ts. 6.2.6 (type=password) and
 * 6.2.7 (paste and password managers) are properties of the client's forms.
 */
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';

describe.each(testDatabases())('V6.2 passwords ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  let n = 0;
  const email = () => `pw-${++n}-${Date.now()}@example.test`;
  const register = (password: string, address = email()) => request(kit.app).post('/api/auth/register').send({ email: address, password });
  const login = (address: string, password: string) => request(kit.app).post('/api/auth/login').send({ email: address, password });
  /** Changes the password of a fresh user; resolves to the response. */
  async function change(newPassword: string) {
    const who = await kit.signedInAgent();
    return { who, res: await who.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword }) };
  }
  const hashOf = async (id: string) => (await kit.services.users.findById(id))!.passwordHash;

  test('6.2.1 at least 8 characters for the new password: 7 is refused and changes nothing, 8 is accepted', async () => {
    const refused = await change('abcdefg');
    expect(refused.res.status).toBe(400);
    expect(refused.res.body.error.details).toEqual([expect.objectContaining({ path: 'newPassword' })]);
    await login(refused.who.email, refused.who.password).expect(200);
    const accepted = await change('abcdefgh');
    expect(accepted.res.status).toBe(200);
    await login(accepted.who.email, 'abcdefgh').expect(200);
  });

  test('6.2.2 users can change their password: the new one signs in, the old one no longer does', async () => {
    const { who, res } = await change('my new passphrase 2026');
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(who.user.id);
    await login(who.email, 'my new passphrase 2026').expect(200);
    await login(who.email, who.password).expect(401);
  });

  test('6.2.3 a change needs both the current and the new password; without either, nothing changes', async () => {
    const who = await kit.signedInAgent();
    const before = await hashOf(who.user.id);
    for (const body of [
      { newPassword: 'some new passphrase' },
      { currentPassword: who.password },
      {},
      { currentPassword: '', newPassword: 'some new passphrase' },
    ]) {
      const res = await who.agent.post('/api/auth/password').send(body).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    await who.agent.post('/api/auth/password').send({ currentPassword: 'not my password', newPassword: 'some new passphrase' }).expect(401);
    expect(await hashOf(who.user.id)).toBe(before);
    // 7.5.1 (re-authentication) is the same rule, see v7-5-reauthentication.test.ts.
  });

  test('6.2.4 common passwords are refused as a new password too (the same list as sign-up), and nothing changes', async () => {
    for (const common of ['12345678', 'password1', 'Password1', 'qwertyuiop']) {
      const who = await kit.signedInAgent();
      const before = await hashOf(who.user.id);
      const res = await who.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: common }).expect(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'newPassword', code: 'password_common' })]);
      expect(await hashOf(who.user.id)).toBe(before);
    }
    // And the user's own email, as at sign-up.
    const who = await kit.signedInAgent();
    await who.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: who.email }).expect(400);
  });

  test('6.2.5 no composition rules for a new password: lower-case words only, or digits only, are fine', async () => {
    for (const password of ['just some lower case words', '90417263548']) {
      const { who, res } = await change(password);
      expect(res.status).toBe(200);
      await login(who.email, password).expect(200);
    }
  });

  test("6.2.8 no truncation: two passwords sharing their first 72 bytes (bcrypt's silent limit) are different passwords", async () => {
    const long = 'x'.repeat(72);
    const address = email();
    await register(`${long}A`, address).expect(201);
    await login(address, `${long}A`).expect(200);
    await login(address, `${long}B`).expect(401);
    await login(address, long).expect(401);
  });

  test('6.2.8 / 6.2.9 a new password is stored exactly as typed: a 64-emoji one with spaces round it signs in, a trimmed one does not', async () => {
    const password = ` ${'🔐'.repeat(64)} `;
    const { who, res } = await change(password);
    expect(res.status).toBe(200);
    await login(who.email, password).expect(200);
    await login(who.email, password.trim()).expect(401);
  });
});
