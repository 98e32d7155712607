/**
 * A passkey as the second step of a password sign-in (ASVS 5.0 V6.5 general MFA, V6.7
 * cryptographic authentication): an account with an authenticator app and a passkey may
 * answer the second step with the passkey instead of a code. The answer must come from a
 * passkey of the account signing in, to a challenge this very pending sign-in asked for;
 * wrong answers count like wrong codes. Answers are made in Node by a software
 * authenticator signing with a real key (../helpers/soft-authenticator.ts).
 */
import type TestAgent from 'supertest/lib/agent';
import { PENDING_MAX_WRONG_CODES, passkeyResponseSchema } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp, type TestUser } from '@cloakroom/server/testing';
import { SoftAuthenticator } from '../helpers/soft-authenticator';
import { enrolTotp, totpCode } from '../helpers/two-factor';
import { signIn } from './helpers';

const ORIGIN = 'http://localhost:3000';
const DATA_KEY = 'a-test-data-encryption-key-of-32-or-more-characters';
const OPTIONS = '/api/auth/passkeys/second-factor/options';
const VERIFY = '/api/auth/2fa/verify';

describe.each(testDatabases())('V6.5 a passkey as the second step ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { APP_ORIGIN: ORIGIN, DATA_ENCRYPTION_KEY: DATA_KEY } });
  });
  afterAll(() => kit.close());

  async function addPasskey(agent: TestAgent, key: SoftAuthenticator) {
    const options = await agent.post('/api/auth/passkeys/register/options').expect(200);
    const res = await agent
      .post('/api/auth/passkeys')
      .send({ response: key.create(options.body) })
      .expect(201);
    return passkeyResponseSchema.parse(res.body).passkey;
  }

  /** A user with the factors named set up (from a signed-in session, then left alone). */
  async function account(factors: { totp?: boolean; passkey?: boolean }) {
    const who = await kit.createUser();
    const { agent } = await signIn(kit, who);
    const key = new SoftAuthenticator(ORIGIN);
    const secret = factors.totp ? (await enrolTotp(agent)).secret : undefined;
    if (factors.passkey) await addPasskey(agent, key);
    return { who, key, secret };
  }

  /** The password step in a fresh browser: its agent, and the login answer. */
  async function passwordStep(who: TestUser) {
    const agent = kit.agent();
    const res = await agent.post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200);
    return { agent, body: res.body as Record<string, unknown> };
  }

  async function expectNotSignedIn(agent: TestAgent, res: { status: number; body: { error?: { code: string } } }) {
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('invalid_passkey');
    await agent.get('/api/me').expect(401);
  }

  test('app and passkey: the second step offers the passkey, its options list the account’s own, and it signs in with ["password", "passkey"]', async () => {
    const { who, key } = await account({ totp: true, passkey: true });
    const { agent, body } = await passwordStep(who);
    expect(body).toEqual({ secondFactorRequired: true, methods: ['totp', 'recovery_code', 'passkey'] });

    const options = (await agent.post(OPTIONS).expect(200)).body;
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([key.credentials[0]!.id.toString('base64url')]);
    const done = await agent
      .post(VERIFY)
      .send({ passkey: key.get(options) })
      .expect(200);
    expect(done.body.user.email).toBe(who.email);
    const me = await agent.get('/api/me').expect(200);
    expect(me.body.session.authMethods).toEqual(['password', 'passkey']);
  });

  test('the app alone: no passkey is offered, and asking for passkey options answers 404', async () => {
    const { who } = await account({ totp: true });
    const { agent, body } = await passwordStep(who);
    expect(body).toEqual({ secondFactorRequired: true, methods: ['totp', 'recovery_code'] });
    expect((await agent.post(OPTIONS).expect(404)).body.error.code).toBe('not_found');
  });

  test('a passkey alone turns no second step on: the password signs in at once (the passkey signs in by itself)', async () => {
    const { who } = await account({ passkey: true });
    const { agent, body } = await passwordStep(who);
    expect(body).toMatchObject({ user: { email: who.email } });
    await agent.get('/api/me').expect(200);
  });

  test('without a pending sign-in there are no options to ask for', async () => {
    await kit.agent().post(OPTIONS).expect(401);
    const { agent } = await signIn(kit, await kit.createUser());
    await agent.post(OPTIONS).expect(401);
  });

  test("someone who knows the password cannot finish with their own passkey: it must be the account's", async () => {
    const victim = await account({ totp: true, passkey: true });
    const attacker = await account({ passkey: true });
    const { agent } = await passwordStep(victim.who);
    const options = (await agent.post(OPTIONS).expect(200)).body;
    // The attacker's authenticator answers the victim's challenge with the attacker's credential.
    const res = await agent.post(VERIFY).send({ passkey: attacker.key.get({ ...options, allowCredentials: [] }) });
    await expectNotSignedIn(agent, res);
  });

  test('an answer counts only for the challenge of this pending sign-in: not another sign-in’s, not a passkey sign-in’s, not a replay', async () => {
    const { who, key } = await account({ totp: true, passkey: true });

    // Captured from the user's own passkey sign-in (a phishing page relaying it, say).
    const loginOptions = (await kit.agent().post('/api/auth/passkeys/login/options').expect(200)).body;
    const first = await passwordStep(who);
    await expectNotSignedIn(first.agent, await first.agent.post(VERIFY).send({ passkey: key.get(loginOptions) }));

    // Another pending sign-in of the same user asked for this challenge: it is not this one's.
    const other = await passwordStep(who);
    const othersOptions = (await other.agent.post(OPTIONS).expect(200)).body;
    const mine = await passwordStep(who);
    await mine.agent.post(OPTIONS).expect(200);
    await expectNotSignedIn(mine.agent, await mine.agent.post(VERIFY).send({ passkey: key.get(othersOptions) }));

    // Nothing asked: nothing to answer.
    const unasked = await passwordStep(who);
    await expectNotSignedIn(unasked.agent, await unasked.agent.post(VERIFY).send({ passkey: key.get(othersOptions) }));

    // A good answer signs in once; the same answer again, for a new pending sign-in, does not.
    const good = await passwordStep(who);
    const goodOptions = (await good.agent.post(OPTIONS).expect(200)).body;
    const answer = key.get(goodOptions);
    await good.agent.post(VERIFY).send({ passkey: answer }).expect(200);
    const replay = await passwordStep(who);
    await replay.agent.post(OPTIONS).expect(200);
    await expectNotSignedIn(replay.agent, await replay.agent.post(VERIFY).send({ passkey: answer }));
  });

  test(`wrong passkey answers count like wrong codes: after ${PENDING_MAX_WRONG_CODES} the pending sign-in ends, even the right code is refused`, async () => {
    const { who, key, secret } = await account({ totp: true, passkey: true });
    const { agent } = await passwordStep(who);
    for (let i = 0; i < PENDING_MAX_WRONG_CODES; i++) {
      const options = (await agent.post(OPTIONS).expect(200)).body;
      // The user's own passkey, answering for a look-alike site (as through a phishing page).
      await expectNotSignedIn(agent, await agent.post(VERIFY).send({ passkey: key.get(options, { origin: 'https://cloakroom.example.evil' }) }));
    }
    const after = await agent.post(VERIFY).send({ code: await totpCode(secret!) });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');
  });

  test('a body that is not an assertion is refused as a wrong answer, never a 500', async () => {
    const { who } = await account({ totp: true, passkey: true });
    const { agent } = await passwordStep(who);
    await agent.post(OPTIONS).expect(200);
    await expectNotSignedIn(agent, await agent.post(VERIFY).send({ passkey: { id: 'x', response: 'nope' } }));
  });
});
