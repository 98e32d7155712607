/**
 * Passkeys under attack (ASVS 5.0 V6.7 cryptographic authentication, V6.5 general MFA, and
 * the challenge rules of the contract): every answer here is made in Node by a software
 * authenticator (../helpers/soft-authenticator.ts) that signs with a real key, so each
 * refusal is the server's verification at work, not a malformed body.
 *
 * - a challenge serves one answer: a replayed answer is refused, also with a fresh cookie;
 * - a challenge lives 5 minutes (its Redis TTL), and an expired one is refused;
 * - a challenge is bound to who asked: another browser's cookie, another session of the
 *   same user, or another ceremony cannot use it;
 * - answers made for another origin or another RP ID are refused, and so is one without
 *   user verification;
 * - the signature counter must grow: a smaller one (a cloned authenticator) is refused and
 *   recorded, counters that stay at 0 (synced passkeys) are fine;
 * - backup eligibility cannot change over a credential's life.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { passkeyChallengeCookieName, passkeyResponseSchema } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { SoftAuthenticator, type Tampering } from '../helpers/soft-authenticator';
import { setCookies } from './helpers';

const ORIGIN = 'http://localhost:3000';

describe.each(testDatabases())('V6.7 passkeys: challenges, origins, counters ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { APP_ORIGIN: ORIGIN } });
  });
  afterAll(() => kit.close());

  /** A user with one passkey on `key`; their signed-in agent. */
  async function userWithPasskey(key = new SoftAuthenticator(ORIGIN)) {
    const who = await kit.signedInAgent();
    const options = await who.agent.post('/api/auth/passkeys/register/options').expect(200);
    const res = await who.agent
      .post('/api/auth/passkeys')
      .send({ response: key.create(options.body) })
      .expect(201);
    return { ...who, key, passkey: passkeyResponseSchema.parse(res.body).passkey };
  }

  const loginOptions = async (agent: TestAgent) => (await agent.post('/api/auth/passkeys/login/options').expect(200)).body;
  const login = (agent: TestAgent, response: unknown) => agent.post('/api/auth/passkeys/login').send({ response });

  async function expectRefused(res: request.Response, agent: TestAgent) {
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_passkey');
    expect(setCookies(res).filter((c) => c.name === kit.services.cookieName && c.value !== '')).toEqual([]);
    await agent.get('/api/me').expect(401);
  }

  async function eventsOf(agent: TestAgent) {
    await kit.services.events.settled();
    return (await agent.get('/api/auth/events').expect(200)).body.events as Array<{ type: string; details: Record<string, unknown> | null }>;
  }

  test('6.7.2 challenges are 256 random bits, never repeated', async () => {
    const agent = request.agent(kit.app);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { challenge } = await loginOptions(agent);
      expect(Buffer.from(challenge, 'base64url')).toHaveLength(32);
      seen.add(challenge);
    }
    expect(seen.size).toBe(50);
  });

  test('a replayed sign-in answer is refused: with the same cookie, and with a fresh challenge', async () => {
    const { key } = await userWithPasskey();
    const browser = request.agent(kit.app);
    const optionsRes = await browser.post('/api/auth/passkeys/login/options').expect(200);
    const answer = key.get(optionsRes.body);
    // An eavesdropper keeps a copy of the cookie and the answer.
    const attacker = request.agent(kit.app);
    const stolenCookie = setCookies(optionsRes).find((c) => c.name === passkeyChallengeCookieName(false))!.pair;
    await login(browser, answer).expect(200);

    await expectRefused(await attacker.post('/api/auth/passkeys/login').set('Cookie', stolenCookie).send({ response: answer }), attacker);
    await loginOptions(attacker); // a fresh challenge of its own: the old answer signs another one
    await expectRefused(await login(attacker, answer), attacker);
  });

  test("a sign-in answer is checked against the challenge of the browser that sends it, not another's", async () => {
    const { key } = await userWithPasskey();
    // A phishing server asks for options here, has the victim sign them elsewhere, then
    // sends the answer from its own browser, which holds a challenge of its own.
    const phisher = request.agent(kit.app);
    const victimOptions = await loginOptions(request.agent(kit.app));
    await loginOptions(phisher);
    await expectRefused(await login(phisher, key.get(victimOptions)), phisher);
    // With no passkey cookie at all.
    const bare = request.agent(kit.app);
    await expectRefused(await login(bare, key.get(await loginOptions(request.agent(kit.app)))), bare);
  });

  test('a registration challenge is bound to the session that asked, and to registering', async () => {
    const who = await kit.signedInAgent();
    const other = await kit.signedInAgent({ user: who.user, email: who.email, password: who.password });
    const key = new SoftAuthenticator(ORIGIN);
    const options = await who.agent.post('/api/auth/passkeys/register/options').expect(200);
    // The same user's other session (another tab, or a thief's copy of an old session) cannot finish it.
    const foreign = await other.agent.post('/api/auth/passkeys').send({ response: key.create(options.body) });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('passkey_registration_failed');
    // A sign-in challenge does not register anything either.
    const signInChallenge = await loginOptions(who.agent);
    const crossed = await who.agent.post('/api/auth/passkeys').send({ response: key.create({ ...options.body, challenge: signInChallenge.challenge }) });
    expect(crossed.status).toBe(400);
    expect((await who.agent.get('/api/auth/passkeys').expect(200)).body.passkeys).toEqual([]);
  });

  test('a registration answer is spent by its first use, right or wrong', async () => {
    const who = await kit.signedInAgent();
    const key = new SoftAuthenticator(ORIGIN);
    const options = await who.agent.post('/api/auth/passkeys/register/options').expect(200);
    await who.agent
      .post('/api/auth/passkeys')
      .send({ response: key.create(options.body, { origin: 'https://evil.test' }) })
      .expect(400);
    await who.agent
      .post('/api/auth/passkeys')
      .send({ response: key.create(options.body) })
      .expect(400);
  });

  test('a challenge lives 5 minutes in Redis; once expired, its answer is refused', async () => {
    const { key } = await userWithPasskey();
    const browser = request.agent(kit.app);
    const res = await browser.post('/api/auth/passkeys/login/options').expect(200);
    const options = res.body;
    const cookie = setCookies(res).find((c) => c.name === passkeyChallengeCookieName(false))!;
    const challengeKey = kit.services.keys.webauthnChallenge('login', createHash('sha256').update(cookie.value).digest('base64url'));
    expect(challengeKey).toBeDefined();
    const ttl = await kit.infra.redis.ttl(challengeKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    // Five minutes pass (the key's TTL runs out now rather than in five minutes).
    await kit.infra.redis.pExpire(challengeKey, 1);
    while ((await kit.infra.redis.exists(challengeKey)) === 1) await new Promise((r) => setTimeout(r, 5));
    await expectRefused(await login(browser, key.get(options)), browser);
  });

  test('answers for another origin or another RP ID are refused (phishing sites get nothing usable)', async () => {
    const { key } = await userWithPasskey();
    for (const tampering of [
      { origin: 'https://evil.test' },
      { origin: 'http://localhost:3001' },
      { rpId: 'evil.test' },
      { rpId: 'example.com' },
    ] satisfies Tampering[]) {
      const browser = request.agent(kit.app);
      await expectRefused(await login(browser, key.get(await loginOptions(browser), tampering)), browser);
    }
    // Registration too.
    const who = await kit.signedInAgent();
    for (const tampering of [{ origin: 'https://evil.test' }, { rpId: 'evil.test' }] satisfies Tampering[]) {
      const options = await who.agent.post('/api/auth/passkeys/register/options').expect(200);
      await who.agent
        .post('/api/auth/passkeys')
        .send({ response: new SoftAuthenticator(ORIGIN).create(options.body, tampering) })
        .expect(400);
    }
    expect((await who.agent.get('/api/auth/passkeys').expect(200)).body.passkeys).toEqual([]);
  });

  test('user verification is required, on registration and on sign-in', async () => {
    const { key } = await userWithPasskey();
    const browser = request.agent(kit.app);
    await expectRefused(await login(browser, key.get(await loginOptions(browser), { userVerified: false })), browser);
    const who = await kit.signedInAgent();
    const options = await who.agent.post('/api/auth/passkeys/register/options').expect(200);
    await who.agent
      .post('/api/auth/passkeys')
      .send({ response: new SoftAuthenticator(ORIGIN).create(options.body, { userVerified: false }) })
      .expect(400);
  });

  test('a signature counter that goes backwards (a cloned authenticator) is refused and recorded', async () => {
    const owner = await userWithPasskey();
    const first = request.agent(kit.app);
    await login(first, owner.key.get(await loginOptions(first), { counter: 7 })).expect(200);
    // A copy of the key that has counted less.
    for (const counter of [3, 7]) {
      const clone = request.agent(kit.app);
      await expectRefused(await login(clone, owner.key.get(await loginOptions(clone), { counter })), clone);
    }
    const rejected = (await eventsOf(owner.agent)).filter((e) => e.type === 'passkey_rejected');
    expect(rejected.map((e) => e.details)).toEqual([
      expect.objectContaining({ reason: 'counter_regressed', storedCounter: 7, receivedCounter: 7, passkey: owner.passkey.id }),
      expect.objectContaining({ reason: 'counter_regressed', storedCounter: 7, receivedCounter: 3, passkey: owner.passkey.id }),
    ]);
    // The real authenticator, counting on, still signs in.
    const again = request.agent(kit.app);
    await login(again, owner.key.get(await loginOptions(again), { counter: 8 })).expect(200);
  });

  test('authenticators that never count (synced passkeys report 0) sign in every time', async () => {
    const synced = await userWithPasskey(new SoftAuthenticator(ORIGIN, { countsSignatures: false, backupEligible: true }));
    for (let i = 0; i < 3; i++) {
      const browser = request.agent(kit.app);
      await login(browser, synced.key.get(await loginOptions(browser))).expect(200);
    }
  });

  test('backup eligibility is fixed for a credential: a single-device passkey that claims to be synced is refused', async () => {
    const owner = await userWithPasskey();
    const browser = request.agent(kit.app);
    await expectRefused(await login(browser, owner.key.get(await loginOptions(browser), { backupEligible: true, backedUp: true })), browser);
    expect((await eventsOf(owner.agent)).find((e) => e.type === 'passkey_rejected')?.details).toMatchObject({ reason: 'backup_eligibility_changed' });
  });

  test("an answer signed by one user's passkey but naming another account is refused", async () => {
    const alice = await userWithPasskey();
    const bob = await kit.signedInAgent();
    // Alice's authenticator claims Bob's user handle.
    alice.key.credentials[0]!.userHandle = Buffer.from(bob.user.id);
    const browser = request.agent(kit.app);
    await expectRefused(await login(browser, alice.key.get(await loginOptions(browser))), browser);
  });

  test('6.5.6 a removed passkey signs in no more, and its sign-in challenge is left alone', async () => {
    const owner = await userWithPasskey();
    await owner.agent.delete(`/api/auth/passkeys/${owner.passkey.id}`).expect(204);
    const browser = request.agent(kit.app);
    await expectRefused(await login(browser, owner.key.get(await loginOptions(browser))), browser);
  });
});
