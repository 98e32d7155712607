/** POST /api/auth/register: 201 {user} and signed in; 400 validation_failed; 409
 *  email_taken; emails normalised and unique, even under concurrent sign-ups. */
import { errorBodySchema, publicUserSchema, SESSION_COOKIE_PLAIN } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { setCookie, setCookies } from './helpers/cookies';

describe.each(testDatabases())('register on $name', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  let n = 0;
  const email = () => `reg-${++n}-${Date.now()}@example.test`;
  const register = (body: object) => kit.agent().post('/api/auth/register').send(body);

  test('201 with the public user, and the new user is signed in', async () => {
    const agent = kit.agent();
    const address = email();
    const res = await agent.post('/api/auth/register').send({ email: address, password: 'a good long passphrase', name: 'Ada' }).expect(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.body)).toEqual(['user']);
    expect(publicUserSchema.strict().parse(res.body.user)).toMatchObject({ email: address, name: 'Ada', role: 'user' });
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|hash|passphrase/i);
    expect(setCookie(res, SESSION_COOKIE_PLAIN).value).toMatch(/^s:/);

    const me = await agent.get('/api/me').expect(200);
    expect(me.body.user).toEqual(res.body.user);
  });

  test('name is optional (null), trimmed when given, and limited to 100 characters', async () => {
    expect((await register({ email: email(), password: 'a good long passphrase' }).expect(201)).body.user.name).toBeNull();
    expect((await register({ email: email(), password: 'a good long passphrase', name: '  Grace  ' }).expect(201)).body.user.name).toBe('Grace');
    expect((await register({ email: email(), password: 'a good long passphrase', name: 'x'.repeat(100) }).expect(201)).body.user.name).toHaveLength(100);
    for (const name of ['', '   ', 'x'.repeat(101), 42]) {
      const res = await register({ email: email(), password: 'a good long passphrase', name }).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
    }
  });

  test('a role in the body is ignored: everyone signs up as a user', async () => {
    const res = await register({ email: email(), password: 'a good long passphrase', role: 'admin' }).expect(201);
    expect(res.body.user.role).toBe('user');
    const row = await kit.services.users.findById(res.body.user.id);
    expect(row?.role).toBe('user');
  });

  test('emails are trimmed and lower-cased, so a second sign-up in another case is 409 email_taken', async () => {
    const base = email();
    const res = await register({ email: `  ${base.toUpperCase()} `, password: 'a good long passphrase' }).expect(201);
    expect(res.body.user.email).toBe(base);

    const taken = await register({ email: base.replace(/^r/, 'R'), password: 'another long passphrase' }).expect(409);
    expect(errorBodySchema.parse(taken.body)).toEqual({ error: { code: 'email_taken', message: expect.any(String) } });
    // Nothing half-written: no session, and the first account's password is unchanged.
    expect(setCookies(taken)).toEqual([]);
    await kit.agent().post('/api/auth/login').send({ email: base, password: 'a good long passphrase' }).expect(200);
    await kit.agent().post('/api/auth/login').send({ email: base, password: 'another long passphrase' }).expect(401);
  });

  test('a sign-up whose session cannot start leaves no account behind, so the retry succeeds', async () => {
    const address = email();
    const storeAway = async () => {
      throw new Error('session store unavailable');
    };
    await expect(kit.services.accounts.register({ email: address, password: 'a good long passphrase' }, storeAway)).rejects.toThrow(
      'session store unavailable',
    );
    expect(await kit.services.users.findByEmail(address)).toBeUndefined();
    await register({ email: address, password: 'a good long passphrase' }).expect(201);
  });

  test('concurrent sign-ups of one email: exactly one 201, the others 409', async () => {
    const address = email();
    const variants = [address, address.toUpperCase(), ` ${address}`, `${address} `, address];
    const results = await Promise.all(variants.map((e, i) => register({ email: e, password: `concurrent passphrase ${i}` })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    const page = await kit.services.users.list({ limit: 100, emailPrefix: address });
    expect(page.users.map((u) => u.email)).toEqual([address]);
  });

  test('an invalid email is 400 validation_failed naming the field', async () => {
    for (const bad of ['plainaddress', 'a@', '@example.test', 'a b@example.test', `${'x'.repeat(250)}@example.test`]) {
      const res = await register({ email: bad, password: 'a good long passphrase' }).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'email' })]);
    }
  });
});
