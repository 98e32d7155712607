/** POST /api/auth/login: 200 {user} with a new session; 401 invalid_credentials, the
 *  same for an unknown email and a wrong password, with exactly one hash verification
 *  either way (a dummy hash for the unknown email). */
import { errorBodySchema, publicUserSchema, SESSION_COOKIE_PLAIN } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { sessionKeyOf } from '../src/auth/session/session-id';
import { sessionIdIn, setCookie, setCookies } from './helpers/cookies';

describe.each(testDatabases())('login on $name', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, captureLogs: true });
  });
  afterAll(() => kit.close());
  afterEach(() => jest.restoreAllMocks());

  const login = (body: object) => kit.agent().post('/api/auth/login').send(body);
  const sessionKeys = async () => (await kit.infra.redis.keys(`${kit.prefix}sess:*`)).sort();

  test('200 with the public user and a session cookie that /api/me accepts', async () => {
    const { email, password, user } = await kit.createUser({ name: 'Lin' });
    const agent = kit.agent();
    const res = await agent.post('/api/auth/login').send({ email, password }).expect(200);
    expect(Object.keys(res.body)).toEqual(['user']);
    expect(publicUserSchema.strict().parse(res.body.user)).toMatchObject({ id: user.id, email, name: 'Lin', role: 'user' });
    const cookie = setCookie(res, SESSION_COOKIE_PLAIN);
    expect(await kit.infra.redis.exists(sessionKeyOf(kit.services.keys, sessionIdIn(cookie, kit.config.session.secrets))!)).toBe(1);
    expect((await agent.get('/api/me').expect(200)).body.user.id).toBe(user.id);
  });

  test('the email is matched trimmed and case-insensitively', async () => {
    const { email, password } = await kit.createUser();
    await login({ email: `  ${email.toUpperCase()}  `, password }).expect(200);
  });

  test('unknown email and wrong password: the same 401 body, no cookie, no session', async () => {
    const { email } = await kit.createUser();
    const before = await sessionKeys();
    const wrong = await login({ email, password: 'not the password at all' });
    const unknown = await login({ email: `nobody-${Date.now()}@example.test`, password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(errorBodySchema.parse(wrong.body)).toEqual({ error: { code: 'invalid_credentials', message: expect.any(String) } });
    expect(unknown.body).toEqual(wrong.body);
    expect(setCookies(wrong)).toEqual([]);
    expect(setCookies(unknown)).toEqual([]);
    expect(await sessionKeys()).toEqual(before);
  });

  test.each([
    ['an unknown email', false],
    ['a wrong password', true],
  ])('%s costs exactly one password verification', async (_what, known) => {
    const { email } = await kit.createUser();
    const verify = jest.spyOn(kit.infra.hasher, 'verify');
    const verifyDummy = jest.spyOn(kit.infra.hasher, 'verifyDummy');
    await login({ email: known ? email : `ghost-${Date.now()}@example.test`, password: 'not the password at all' }).expect(401);
    expect(verify.mock.calls.length + verifyDummy.mock.calls.length).toBe(1);
    expect(verifyDummy).toHaveBeenCalledTimes(known ? 0 : 1);
  });

  test("missing fields get the contract error, never passport-local's bare 400", async () => {
    for (const body of [{}, { email: 'a@example.test' }, { password: 'whatever it is' }, { email: '', password: '' }]) {
      const res = await login(body).expect(400);
      expect(errorBodySchema.parse(res.body).error.code).toBe('validation_failed');
      expect(res.body.error.details.length).toBeGreaterThan(0);
      expect(res.text).not.toMatch(/Missing credentials/);
    }
  });

  test('neither the password nor the session ID reaches the logs', async () => {
    const { email, password } = await kit.createUser({ password: 'log-canary-passphrase-1' });
    const res = await login({ email, password }).expect(200);
    const sid = sessionIdIn(setCookie(res, SESSION_COOKIE_PLAIN), kit.config.session.secrets);
    await login({ email, password: 'log-canary-wrong-2' }).expect(401);
    const logs = kit.logs();
    expect(logs).toMatch(/\/api\/auth\/login/); // the requests were logged
    expect(logs).not.toContain('log-canary');
    expect(logs).not.toContain(sid);
  });
});
