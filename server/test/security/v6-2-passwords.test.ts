/**
 * ASVS 5.0 V6.2 Password security, server side. 6.2.6 (type=password) and 6.2.7 (paste
 * and password managers) are properties of the client's forms, proven by the client's
 * browser tests, not here.
 */
import argon2 from 'argon2';
import request from 'supertest';
import { PASSWORD_MAX_BYTES } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { commonPasswordCount } from '../../src/auth/passwords/policy';

describe.each(testDatabases())('V6.2 passwords ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());
  afterEach(() => jest.restoreAllMocks());

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

  test('6.2.1 at least 8 characters: 7 is refused on sign-up and on change, 8 is accepted', async () => {
    const short = await register('abcdefg').expect(400);
    expect(short.body.error.details).toEqual([expect.objectContaining({ path: 'password' })]);
    await register('abcdefgh').expect(201);

    const refused = await change('abcdefg');
    expect(refused.res.status).toBe(400);
    expect(refused.res.body.error.details).toEqual([expect.objectContaining({ path: 'newPassword' })]);
    const accepted = await change('abcdefgh');
    expect(accepted.res.status).toBe(200);
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
    for (const body of [{ newPassword: 'some new passphrase' }, { currentPassword: who.password }, {}, { currentPassword: '', newPassword: 'some new passphrase' }]) {
      const res = await who.agent.post('/api/auth/password').send(body).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    await who.agent.post('/api/auth/password').send({ currentPassword: 'not my password', newPassword: 'some new passphrase' }).expect(401);
    expect(await hashOf(who.user.id)).toBe(before);
    // 7.5.1 (re-authentication) is the same rule, see v7-5-reauthentication.test.ts.
  });

  test('6.2.4 common passwords are refused on sign-up and on change (a list of at least 3,000 that meet the length rule)', async () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(3000);
    for (const common of ['12345678', 'password1', 'Password1', 'qwertyuiop', 'iloveyou']) {
      const res = await register(common).expect(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'password', code: 'password_common' })]);
    }
    const who = await kit.signedInAgent();
    const before = await hashOf(who.user.id);
    const res = await who.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: 'password1' }).expect(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'newPassword', code: 'password_common' })]);
    expect(await hashOf(who.user.id)).toBe(before);
  });

  test('6.2.5 no composition rules: lower-case only, digits only and spaces are all fine', async () => {
    for (const password of ['correct horse battery staple', '90417263548', 'ünïcödé wörds', '        spaces count too']) {
      const address = email();
      await register(password, address).expect(201);
      await login(address, password).expect(200);
    }
  });

  test('6.2.8 the password is verified exactly as typed: no case folding, no trimming, no Unicode normalisation, no truncation', async () => {
    const base = 'Exact Passphrase é';
    const address = email();
    await register(base, address).expect(201);
    await login(address, base).expect(200);
    for (const variant of [base.toLowerCase(), base.toUpperCase(), ` ${base}`, `${base} `, base.normalize('NFD'), base.slice(0, -1)]) {
      expect(variant).not.toBe(base);
      await login(address, variant).expect(401);
    }
    // Two passwords sharing their first 72 bytes (bcrypt's silent limit) are different.
    const long = 'x'.repeat(72);
    const longAddress = email();
    await register(`${long}A`, longAddress).expect(201);
    await login(longAddress, `${long}A`).expect(200);
    await login(longAddress, `${long}B`).expect(401);
    await login(longAddress, long).expect(401);
  });

  test('6.2.9 64 characters and more are allowed, 64 emoji (256 bytes) too; the stored hash is argon2id at the configured cost', async () => {
    for (const password of ['p'.repeat(64), '🔐'.repeat(64), 'q'.repeat(PASSWORD_MAX_BYTES)]) {
      const address = email();
      const res = await register(password, address).expect(201);
      await login(address, password).expect(200);
      const hash = await hashOf(res.body.user.id);
      const [, algorithm, version, params] = hash.split('$');
      expect([algorithm, version]).toEqual(['argon2id', 'v=19']);
      const { memoryKiB, timeCost, parallelism } = kit.config.passwordHash;
      expect(Object.fromEntries(params!.split(',').map((kv) => kv.split('=')))).toEqual({ m: String(memoryKiB), t: String(timeCost), p: String(parallelism) });
    }
  });

  test(`6.2.9 the maximum (${PASSWORD_MAX_BYTES} bytes) is checked before any hashing: a longer password costs no hash at all`, async () => {
    const who = await kit.createUser();
    const hash = jest.spyOn(argon2, 'hash');
    const verify = jest.spyOn(argon2, 'verify');
    const tooLong = 'z'.repeat(PASSWORD_MAX_BYTES + 1);
    const tooLongEmoji = '🔐'.repeat(PASSWORD_MAX_BYTES / 4 + 1); // few characters, many bytes
    for (const password of [tooLong, tooLongEmoji]) {
      const signUp = await register(password).expect(400);
      expect(signUp.body.error.details).toEqual([expect.objectContaining({ path: 'password' })]);
      await login(who.email, password).expect(400);
    }
    expect(hash).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
    // The spies do see the hasher's work (so the zeros above mean something).
    await login(who.email, who.password).expect(200);
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
