/**
 * Issue 8.3 (ASVS 2.4.1, 6.3.1): argon2 work that no limit counted. A successful
 * sign-in, a password change with the right current password and a weak new one, and a
 * successful password change each cost a full verification without using up any
 * allowance, so a few self-registered accounts signing in with their own passwords
 * kept the hashing queue full and every legitimate sign-in got 503. Now the new
 * password's policy is checked before the current one is verified; every verification,
 * whatever its outcome, is counted against per-account and per-address budgets; and
 * each account and address may have only a few hashes queued at once (the flood itself
 * is measured by `npm run bench -- --flood`).
 */
import argon2 from 'argon2';
import request from 'supertest';
import { errorBodySchema } from '@cloakroom/shared';
import { createTestApp, sleep, testDatabases, type TestApp } from '@cloakroom/server/testing';

jest.setTimeout(30_000);

function expectTooMany(res: request.Response, maxSeconds: number): void {
  expect(res.status).toBe(429);
  expect(errorBodySchema.parse(res.body).error.code).toBe('too_many_attempts');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
}

describe.each(testDatabases())('password work is counted ($name)', ({ databaseUrl }) => {
  const kits: TestApp[] = [];
  const kitWith = async (env: Record<string, string>) => {
    const kit = await createTestApp({ databaseUrl, env: { TRUST_PROXY: 'loopback', ...env } });
    kits.push(kit);
    return kit;
  };
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => Promise.all(kits.map((k) => k.close())));

  const loginFrom = (kit: TestApp, ip: string, who: { email: string; password: string }) =>
    request(kit.handler).post('/api/auth/login').set('X-Forwarded-For', ip).send({ email: who.email, password: who.password });

  test('2.4.1 a weak new password is refused before the current one is verified: 400 without a single argon2 verification', async () => {
    const kit = await kitWith({});
    const who = await kit.signedInAgent();
    const verify = jest.spyOn(argon2, 'verify');
    const res = await who.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: 'password1' }).expect(400);
    expect(errorBodySchema.parse(res.body).error.details?.[0]?.code).toBe('password_common');
    expect(verify).not.toHaveBeenCalled();
  });

  test("2.4.1 successful sign-ins use up the account's budget of verifications: then 429 without a verification, and other accounts go on", async () => {
    const kit = await kitWith({ PASSWORD_CHECK_ACCOUNT_LIMIT: '3', PASSWORD_CHECK_ACCOUNT_WINDOW: '60' });
    const who = await kit.createUser();
    for (let i = 0; i < 3; i++) await loginFrom(kit, `203.0.113.${i}`, who).expect(200);
    const verify = jest.spyOn(argon2, 'verify');
    expectTooMany(await loginFrom(kit, '203.0.113.9', who), 60);
    expect(verify).not.toHaveBeenCalled();
    await loginFrom(kit, '203.0.113.9', await kit.createUser()).expect(200);
  });

  test("2.4.1 sign-ins from one address, right passwords on many accounts, use up that address's budget", async () => {
    const kit = await kitWith({ PASSWORD_CHECK_IP_LIMIT: '4', PASSWORD_CHECK_IP_WINDOW: '60' });
    for (let i = 0; i < 4; i++) await loginFrom(kit, '198.51.100.7', await kit.createUser()).expect(200);
    expectTooMany(await loginFrom(kit, '198.51.100.7', await kit.createUser()), 60);
    await loginFrom(kit, '198.51.100.8', await kit.createUser()).expect(200);
  });

  test('2.4.1 a successful password change counts against the same budget as sign-ins', async () => {
    const kit = await kitWith({ PASSWORD_CHECK_ACCOUNT_LIMIT: '2', PASSWORD_CHECK_ACCOUNT_WINDOW: '60' });
    const who = await kit.signedInAgent(); // one verification
    await who.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: 'a brand new passphrase' }).expect(200); // two
    expectTooMany(await loginFrom(kit, '203.0.113.50', { email: who.email, password: 'a brand new passphrase' }), 60);
  });

  describe('hashes queued at once', () => {
    /** Holds every argon2 verification until released, so requests pile up as they do
     *  when the hashing queue is busy. */
    function holdVerifications() {
      const original = argon2.verify.bind(argon2);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const verify = jest.spyOn(argon2, 'verify').mockImplementation(async (...args: Parameters<typeof argon2.verify>) => {
        await released;
        return original(...args);
      });
      return { verify, release };
    }

    /** Waits until `n` of the requests have answered (the refused ones answer while the
     *  admitted ones wait for their hash), or gives up after a while. */
    async function answered(requests: Array<Promise<unknown>>, n: number): Promise<void> {
      let done = 0;
      for (const r of requests) void r.then(() => done++);
      for (let i = 0; i < 200 && done < n; i++) await sleep(10);
    }

    test('2.4.1 one address gets only its ceiling of hashes queued; the rest are refused at once with 429, and another address is served', async () => {
      const kit = await kitWith({ HASH_QUEUE_PER_IP: '2' });
      const users = await Promise.all(Array.from({ length: 12 }, () => kit.createUser()));
      const legit = await kit.createUser();
      const hold = holdVerifications();
      const flood = users.map((u) => loginFrom(kit, '198.51.100.20', u).then((r) => r));
      await answered(flood, 10);
      const other = loginFrom(kit, '192.0.2.99', legit).then((r) => r);
      hold.release();
      const answers = await Promise.all(flood);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 200, ...Array<number>(10).fill(429)]);
      for (const r of answers.filter((r) => r.status !== 200)) expectTooMany(r, 1);
      expect((await other).status).toBe(200);
    });

    test('2.4.1 one account gets only its ceiling of hashes queued, from however many addresses', async () => {
      const kit = await kitWith({ HASH_QUEUE_PER_ACCOUNT: '2' });
      const who = await kit.createUser();
      const hold = holdVerifications();
      const burst = Array.from({ length: 6 }, (_, i) => loginFrom(kit, `203.0.113.${100 + i}`, who).then((r) => r));
      await answered(burst, 4);
      hold.release();
      const answers = await Promise.all(burst);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 429, 429, 429, 429]);
    });
  });
});
