/**
 * Passkeys through the API, as a user meets them: add one while signed in, see it, name it,
 * sign in with it alone in another browser, remove it (and it signs in no more). The
 * authenticator is a software one (helpers/soft-authenticator.ts) answering in Node what
 * a browser and platform authenticator would; the server verifies with @simplewebauthn/server.
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { passkeyResponseSchema, passkeysResponseSchema, passkeyChallengeCookieName } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { setCookies } from './helpers/cookies';
import { signIn } from './helpers/sign-in';
import { ageAuthentication } from './helpers/two-factor';
import { SoftAuthenticator } from './helpers/soft-authenticator';

const ORIGIN = 'http://localhost:3000';

/** Adds a passkey to the signed-in agent's account with `authenticator`. */
export async function addPasskey(agent: TestAgent, authenticator: SoftAuthenticator, name?: string) {
  const options = await agent.post('/api/auth/passkeys/register/options').expect(200);
  const res = await agent
    .post('/api/auth/passkeys')
    .send({ response: authenticator.create(options.body), ...(name ? { name } : {}) })
    .expect(201);
  return passkeyResponseSchema.parse(res.body).passkey;
}

describe.each(testDatabases())('passkeys ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { APP_ORIGIN: ORIGIN } });
  });
  afterAll(() => kit.close());

  async function signInWithPasskey(agent: TestAgent, authenticator: SoftAuthenticator) {
    const options = await agent.post('/api/auth/passkeys/login/options').expect(200);
    return agent.post('/api/auth/passkeys/login').send({ response: authenticator.get(options.body) });
  }

  test('the life cycle: add, list, rename, sign in with it alone, remove', async () => {
    const { agent, user } = await kit.signedInAgent();
    const laptop = new SoftAuthenticator(ORIGIN);

    const options = await agent.post('/api/auth/passkeys/register/options').expect(200);
    // What the browser is asked for: a discoverable credential for this site, verified user.
    expect(options.body.rp).toEqual({ name: 'Cloakroom', id: 'localhost' });
    expect(options.body.user.name).toBe(user.email);
    expect(options.body.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    const created = await agent
      .post('/api/auth/passkeys')
      .send({ response: laptop.create(options.body), name: 'Work laptop' })
      .expect(201);
    const passkey = passkeyResponseSchema.parse(created.body).passkey;
    expect(passkey).toMatchObject({ name: 'Work laptop', lastUsedAt: null });

    const renamed = await agent.patch(`/api/auth/passkeys/${passkey.id}`).send({ name: '  Laptop  ' }).expect(200);
    expect(renamed.body.passkey).toMatchObject({ id: passkey.id, name: 'Laptop' });

    // Another browser, no email, no password: the passkey alone.
    const elsewhere = request.agent(kit.app);
    await elsewhere.get('/api/me').expect(401);
    const options2 = await elsewhere.post('/api/auth/passkeys/login/options').expect(200);
    expect(options2.body.userVerification).toBe('required');
    expect(options2.body.allowCredentials ?? []).toEqual([]); // discoverable: the browser offers what it has
    const signedIn = await elsewhere
      .post('/api/auth/passkeys/login')
      .send({ response: laptop.get(options2.body) })
      .expect(200);
    expect(signedIn.body.user).toMatchObject({ id: user.id, email: user.email });
    const me = await elsewhere.get('/api/me').expect(200);
    expect(me.body.user.id).toBe(user.id);

    const listed = passkeysResponseSchema.parse((await agent.get('/api/auth/passkeys').expect(200)).body).passkeys;
    expect(listed).toHaveLength(1);
    expect(listed[0]!.lastUsedAt).not.toBeNull();

    await agent.delete(`/api/auth/passkeys/${passkey.id}`).expect(204);
    expect((await agent.get('/api/auth/passkeys').expect(200)).body.passkeys).toEqual([]);
    const refused = await signInWithPasskey(request.agent(kit.app), laptop);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_passkey');

    const events = (await agent.get('/api/auth/events').expect(200)).body.events.map((e: { type: string }) => e.type);
    expect(events).toEqual(expect.arrayContaining(['passkey_added', 'passkey_removed']));
    const passkeyLogin = (await agent.get('/api/auth/events').expect(200)).body.events.find(
      (e: { type: string; details: { method?: string } | null }) => e.type === 'login_succeeded' && e.details?.method === 'passkey',
    );
    expect(passkeyLogin).toBeDefined();
  });

  test('the sign-in rotates the session: a session ID the browser brought is not kept', async () => {
    const { agent } = await kit.signedInAgent();
    const key = new SoftAuthenticator(ORIGIN);
    await addPasskey(agent, key);
    const planted = await kit.signedInAgent();
    const before = (await planted.agent.get('/api/me').expect(200)).body.session.id;
    const res = await signInWithPasskey(planted.agent, key);
    expect(res.status).toBe(200);
    const after = (await planted.agent.get('/api/me').expect(200)).body.session.id;
    expect(after).not.toBe(before);
  });

  test('the sign-in cookie is HttpOnly, short-lived and cleared by the answer', async () => {
    const agent = request.agent(kit.app);
    const options = await agent.post('/api/auth/passkeys/login/options').expect(200);
    const cookie = setCookies(options).find((c) => c.name === passkeyChallengeCookieName(false));
    expect(cookie?.attributes).toMatchObject({ httponly: true, path: '/', samesite: 'Lax' });
    expect(Number(cookie?.attributes['max-age'])).toBeLessThanOrEqual(300);
    const answer = await agent.post('/api/auth/passkeys/login').send({ response: fakeAssertion() });
    expect(answer.status).toBe(401);
    expect(setCookies(answer).find((c) => c.name === passkeyChallengeCookieName(false))?.value).toBe('');
  });

  test("someone else's passkey ID, or none at all, finds nothing", async () => {
    const owner = await kit.signedInAgent();
    const passkey = await addPasskey(owner.agent, new SoftAuthenticator(ORIGIN));
    const other = await kit.signedInAgent();
    await other.agent.patch(`/api/auth/passkeys/${passkey.id}`).send({ name: 'mine now' }).expect(404);
    await other.agent.delete(`/api/auth/passkeys/${passkey.id}`).expect(404);
    await other.agent.delete('/api/auth/passkeys/not-an-id').expect(404);
    const still = passkeysResponseSchema.parse((await owner.agent.get('/api/auth/passkeys').expect(200)).body).passkeys;
    expect(still.map((p) => p.name)).toEqual([passkey.name]);
  });

  test('the same passkey cannot be added twice, and names default to "Passkey N"', async () => {
    const { agent } = await kit.signedInAgent();
    const key = new SoftAuthenticator(ORIGIN);
    const first = await addPasskey(agent, key);
    expect(first.name).toBe('Passkey 1');
    // A (misbehaving) authenticator that ignores excludeCredentials and makes the same
    // credential ID again, for this account or for another.
    const firstId = key.credentials[0]!.id;
    const options = await agent.post('/api/auth/passkeys/register/options').expect(200);
    expect(options.body.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([firstId.toString('base64url')]);
    const res = await agent.post('/api/auth/passkeys').send({ response: key.create(options.body, { credentialId: firstId }) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('passkey_registration_failed');
    const other = await kit.signedInAgent();
    const otherOptions = await other.agent.post('/api/auth/passkeys/register/options').expect(200);
    const stolen = await other.agent.post('/api/auth/passkeys').send({ response: key.create(otherOptions.body, { credentialId: firstId }) });
    expect(stolen.status).toBe(400);
    expect((await other.agent.get('/api/auth/passkeys').expect(200)).body.passkeys).toEqual([]);
  });

  test('adding and listing need a session', async () => {
    const anonymous = request.agent(kit.app);
    await anonymous.post('/api/auth/passkeys/register/options').expect(401);
    await anonymous.get('/api/auth/passkeys').expect(401);
  });
});

/** An assertion-shaped body that cannot verify (for paths that refuse before verifying). */
function fakeAssertion() {
  const z = Buffer.alloc(32).toString('base64url');
  return { id: z, rawId: z, type: 'public-key', response: { clientDataJSON: z, authenticatorData: z, signature: z }, clientExtensionResults: {} };
}

describe('passkeys, step-up and how a session was proved', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ env: { APP_ORIGIN: ORIGIN, DATA_ENCRYPTION_KEY: 'a-test-data-encryption-key-of-32-or-more-characters' } });
  });
  afterAll(() => kit.close());

  test('a passkey sign-in is recorded as two factors in one: authMethods ["passkey"]', async () => {
    const { agent } = await kit.signedInAgent();
    const key = new SoftAuthenticator(ORIGIN);
    await addPasskey(agent, key);
    const browser = request.agent(kit.app);
    const options = await browser.post('/api/auth/passkeys/login/options').expect(200);
    await browser
      .post('/api/auth/passkeys/login')
      .send({ response: key.get(options.body) })
      .expect(200);
    const me = await browser.get('/api/me').expect(200);
    expect(me.body.session.authMethods).toEqual(['passkey']);
  });

  test('adding and removing a passkey need a recent authentication, which a passkey can renew', async () => {
    const who = await signIn(kit);
    const key = new SoftAuthenticator(ORIGIN);
    const passkey = await addPasskey(who.agent, key);
    await ageAuthentication(kit, who.user.id, who.handle, 11 * 60_000);

    const refused = await who.agent.delete(`/api/auth/passkeys/${passkey.id}`).expect(403);
    expect(refused.body.error.code).toBe('reauth_required');
    expect((await who.agent.post('/api/auth/passkeys/register/options').expect(403)).body.error.code).toBe('reauth_required');

    // Confirm it is you with the passkey: options list the caller's own passkeys.
    const options = await who.agent.post('/api/auth/passkeys/reauth/options').expect(200);
    expect(options.body.allowCredentials.map((c: { id: string }) => c.id)).toEqual([key.credentials[0]!.id.toString('base64url')]);
    const confirmed = await who.agent
      .post('/api/auth/reauth')
      .send({ passkey: key.get(options.body) })
      .expect(200);
    expect(Date.parse(confirmed.body.authTime)).toBeGreaterThan(Date.now() - 60_000);
    // The same answer again proves nothing (its challenge is spent).
    await ageAuthentication(kit, who.user.id, who.handle, 11 * 60_000);
    const replayed = await who.agent.post('/api/auth/reauth').send({ passkey: key.get(options.body) });
    expect(replayed.status).toBe(401);
    await who.agent.post('/api/auth/reauth').send({ password: who.password }).expect(200);
    await who.agent.delete(`/api/auth/passkeys/${passkey.id}`).expect(204);
  });

  test("someone else's passkey does not confirm it is you", async () => {
    const alice = await signIn(kit);
    const aliceKey = new SoftAuthenticator(ORIGIN);
    await addPasskey(alice.agent, aliceKey);
    const mallory = await signIn(kit);
    await addPasskey(mallory.agent, new SoftAuthenticator(ORIGIN));
    await ageAuthentication(kit, mallory.user.id, mallory.handle, 11 * 60_000);
    // Mallory holds Alice's authenticator and answers her own session's challenge with it.
    const options = await mallory.agent.post('/api/auth/passkeys/reauth/options').expect(200);
    const res = await mallory.agent.post('/api/auth/reauth').send({ passkey: aliceKey.get({ ...options.body, allowCredentials: [] }) });
    expect(res.status).toBe(401);
    await mallory.agent.post('/api/auth/passkeys/register/options').expect(403);
  });

  test('without a passkey there is nothing to confirm with', async () => {
    const who = await signIn(kit);
    await who.agent.post('/api/auth/passkeys/reauth/options').expect(404);
  });
});
