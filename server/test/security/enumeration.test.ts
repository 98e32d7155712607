/**
 * User enumeration (ASVS 5.0 6.3.8; DESIGN "Security at the edges"): an unknown email
 * and a wrong password look the same by status, body, headers and work done, and so do
 * the rate limits and the lockout. The basic 401 comparison and the one-verification
 * count are in login.test.ts; here: the headers, the dummy hash's cost, the limits, the
 * audit trail, and sign-up's cost.
 */
import argon2 from 'argon2';
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';

const WRONG = 'not the right password';

const params = (hash: string) =>
  Object.fromEntries(
    hash
      .split('$')[3]!
      .split(',')
      .map((kv) => kv.split('=')),
  );

/** What a client can observe of an answer, minus what differs on every request anyway. */
function observable(res: request.Response) {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([k]) => !['date', 'x-request-id'].includes(k)));
  return { status: res.status, headers, body: res.text };
}

describe.each(testDatabases())('enumeration ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { LOCKOUT_THRESHOLD: '2', LOCKOUT_BASE_DELAY: '30' } });
  });
  afterAll(() => kit.close());
  afterEach(() => jest.restoreAllMocks());

  const login = (email: string, password = WRONG) => request(kit.app).post('/api/auth/login').send({ email, password });
  const eventCount = async () => {
    await kit.services.events.settled();
    return Number(
      (
        await kit.infra.db
          .selectFrom('securityEvents')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  };

  test('6.3.8 unknown email and wrong password: identical status, headers and body; the dummy hash costs what a real one does', async () => {
    const known = await kit.createUser();
    const verify = jest.spyOn(argon2, 'verify');
    const wrong = await login(known.email);
    const unknown = await login(`ghost-${Date.now()}@example.test`);
    expect(observable(unknown)).toEqual(observable(wrong));
    expect(verify).toHaveBeenCalledTimes(2);
    const [realHash, dummyHash] = verify.mock.calls.map((c) => c[0]);
    expect(realHash).toBe(known.user.passwordHash);
    expect(params(dummyHash!)).toEqual(params(realHash!));
  });

  test('6.3.8 the lockout answers an unknown email exactly as a known one, and writes no event for it', async () => {
    const known = await kit.createUser();
    const unknown = `nobody-${Date.now()}@example.test`;
    const run = async (email: string) => {
      const out = [];
      for (let i = 0; i < 4; i++) out.push(observable(await login(email)));
      return out;
    };
    const knownRun = await run(known.email);
    const eventsBefore = await eventCount();
    const unknownRun = await run(unknown);
    expect(knownRun.map((r) => r.status)).toEqual([401, 401, 429, 429]);
    expect(unknownRun).toEqual(knownRun); // Retry-After included
    // The audit trail records attempts on real accounts only: nothing for the unknown email.
    expect(await eventCount()).toBe(eventsBefore);
    await kit.services.events.settled();
    const knownTypes = (await kit.services.events.recent(known.user.id)).map((e) => e.type);
    expect(knownTypes.filter((t) => t === 'login_failed')).toHaveLength(2);
    expect(knownTypes).toContain('account_locked');
  });

  test('6.3.8 the per-account limit (across addresses) answers an unknown email exactly as a known one', async () => {
    const spread = await createTestApp({ databaseUrl, env: { TRUST_PROXY: 'loopback', LOGIN_ACCOUNT_LIMIT: '2' } });
    try {
      const known = await spread.createUser();
      const run = async (email: string) => {
        const out = [];
        for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
          out.push(observable(await request(spread.app).post('/api/auth/login').set('X-Forwarded-For', ip).send({ email, password: WRONG })));
        }
        return out.map(({ headers, ...rest }) => ({ ...rest, headers: { ...headers, 'retry-after': headers['retry-after'] === undefined ? 'none' : 'some' } }));
      };
      const knownRun = await run(known.email);
      expect(knownRun.map((r) => r.status)).toEqual([401, 401, 429]);
      expect(await run(`nobody-${Date.now()}@example.test`)).toEqual(knownRun);
    } finally {
      await spread.close();
    }
  });

  test('6.3.8 sign-up costs one hash whether or not the email is taken (its 409 is the contract, throttled per address)', async () => {
    const known = await kit.createUser();
    const hash = jest.spyOn(argon2, 'hash');
    await request(kit.app).post('/api/auth/register').send({ email: known.email, password: 'a fine long passphrase' }).expect(409);
    await request(kit.app)
      .post('/api/auth/register')
      .send({ email: `fresh-${Date.now()}@example.test`, password: 'a fine long passphrase' })
      .expect(201);
    expect(hash).toHaveBeenCalledTimes(2);
  });
});
