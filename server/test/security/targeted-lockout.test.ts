/**
 * Issue 8.5 (ASVS 6.1.1, 6.3.1): nobody can lock an owner out of their account.
 * 30 wrong passwords from 6 addresses of one IPv6 /48 used to reach the per-account
 * ceiling (addresses were grouped by /56), after which the owner's right password got
 * 429 from anywhere for 15 minutes. Now a /48 counts as one address, so those guesses
 * lock only their own block; and a browser that has signed in to the account before
 * (OWASP's device cookie) keeps signing in even when a distributed attack has reached
 * the ceiling, which still stops every unknown browser.
 */
import type TestAgent from 'supertest/lib/agent';
import { errorBodySchema } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp, type TestUser } from '@cloakroom/server/testing';

jest.setTimeout(60_000);

const WRONG = 'definitely not the password';
/** The defaults of LOGIN_ACCOUNT_LIMIT, LOGIN_IP_LIMIT and LOCKOUT_THRESHOLD. */
const DEFAULT_LIMITS = { LOGIN_ACCOUNT_LIMIT: '30', LOGIN_IP_LIMIT: '100', LOCKOUT_THRESHOLD: '5', TRUST_PROXY: 'loopback' };

/** Six addresses in 2001:db8:4200::/48, each in a /56 of its own. */
const ONE_48 = ['2001:db8:4200::1', '2001:db8:4200:100::1', '2001:db8:4200:200::1', '2001:db8:4200:300::1', '2001:db8:4200:400::1', '2001:db8:4200:500::1'];

describe.each(testDatabases())('targeted lockout ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: DEFAULT_LIMITS });
  });
  afterAll(() => kit.close());

  /** A sign-in from `browser` (its cookie jar: the device cookie, if any), from `ip`. */
  const login = (browser: TestAgent, ip: string, who: { email: string }, password: string) =>
    browser.post('/api/auth/login').set('X-Forwarded-For', ip).send({ email: who.email, password });

  /** The owner's browser, which has signed in to the account before (and signed out). */
  async function knownBrowser(who: TestUser): Promise<TestAgent> {
    const browser = kit.agent();
    await login(browser, '192.0.2.1', who, who.password).expect(200);
    await browser.post('/api/auth/logout').expect(204);
    return browser;
  }

  test('6.3.1 30 wrong passwords from 6 addresses of one IPv6 /48: the block locks itself out, the owner signs in from elsewhere', async () => {
    const who = await kit.createUser();
    const answers: number[] = [];
    for (const ip of ONE_48) for (let i = 0; i < 5; i++) answers.push((await login(kit.agent(), ip, who, WRONG)).status);
    // One /48 is one address: five guesses, then that block is locked (429, not counted).
    expect(answers.filter((s) => s === 401)).toHaveLength(5);
    expect(answers.filter((s) => s === 429)).toHaveLength(25);
    await login(kit.agent(), '203.0.113.9', who, who.password).expect(200);
  });

  test("6.3.1 a distributed attack reaching the ceiling: the owner's known browser still signs in, a fresh browser gets 429", async () => {
    const who = await kit.createUser();
    const browser = await knownBrowser(who);
    for (let i = 0; i < 30; i++) await login(kit.agent(), `2001:db8:${(0x5000 + i).toString(16)}::1`, who, WRONG).expect(401);

    const fresh = await login(kit.agent(), '203.0.113.10', who, who.password).expect(429);
    expect(errorBodySchema.parse(fresh.body).error.code).toBe('too_many_attempts');
    expect(Number(fresh.headers['retry-after'])).toBeGreaterThan(800);

    await login(browser, '203.0.113.10', who, who.password).expect(200);
    await browser.get('/api/me').expect(200);
  });

  test("6.3.1 the device cookie is the account's own: it lets nobody past the ceiling of another account, and guesses from it lock it out", async () => {
    const who = await kit.createUser();
    const other = await kit.createUser();
    const browser = await knownBrowser(who);
    for (let i = 0; i < 30; i++) await login(kit.agent(), `2001:db8:${(0x6000 + i).toString(16)}::1`, other, WRONG).expect(401);
    await login(browser, '203.0.113.11', other, other.password).expect(429);

    // Guessing from the known browser counts against that browser: five, then locked.
    for (let i = 0; i < 5; i++) await login(browser, `203.0.113.${20 + i}`, who, WRONG).expect(401);
    await login(browser, '203.0.113.30', who, who.password).expect(429);
    // ...which locks neither the account nor its other browsers.
    await login(kit.agent(), '203.0.113.31', who, who.password).expect(200);
  });
});
