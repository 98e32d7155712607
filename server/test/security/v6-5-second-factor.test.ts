/**
 * ASVS 5.0 V6.5 (general multi-factor requirements) and V6.6 where it applies, for the
 * authenticator app (TOTP) and recovery codes, and the two-step sign-in (issue 12).
 * Codes are computed here from the secret the API hands out, as an app would.
 * Step-up (V7.5) is in v7-5-reauthentication.test.ts.
 */
import request from 'supertest';
import { API_ROUTES, PENDING_MAX_WRONG_CODES, ROUTE_IDS, type RouteId } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { secondFactor } from '../../src/mfa/second-factor';
import { secretBox } from '../../src/mfa/secret-box';
import { sessionKeyOf } from '../../src/auth/session/session-id';
import { awayFromStepEdge, enrolTotp, totpCode } from '../helpers/two-factor';
import { cookieHeader, eventTypes, signIn, sessionIdOf, sessionKey } from './helpers';

const DATA_KEY = 'a-test-data-encryption-key-of-32-or-more-characters';

describe.each(testDatabases())('V6.5 second factor ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, env: { DATA_ENCRYPTION_KEY: DATA_KEY } });
  });
  afterAll(() => kit.close());

  /** A user with an authenticator set up, and a fresh agent that has only the password step behind it. */
  async function enrolled() {
    const who = await kit.createUser();
    const { agent } = await signIn(kit, who);
    const { secret, recoveryCodes } = await enrolTotp(agent);
    return { who, secret, recoveryCodes };
  }

  async function passwordStep(who: { email: string; password: string }) {
    const agent = kit.agent();
    const res = await agent.post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200);
    return { agent, res, cookie: cookieHeader(kit, res), sid: sessionIdOf(kit, res) };
  }

  test('the whole life cycle: set up, confirm, sign in in two steps, regenerate codes, remove; /api/me tells how the session was proved', async () => {
    const who = await kit.createUser();
    const { agent } = await signIn(kit, who);
    expect((await agent.get('/api/auth/2fa').expect(200)).body).toEqual({ totp: false, recoveryCodesLeft: 0, required: false, setupRequired: false });

    const setup = await agent.post('/api/auth/2fa/totp/setup').expect(200);
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.body.otpauthUrl).toContain(`secret=${setup.body.secret}`);
    expect(setup.body.otpauthUrl.startsWith('otpauth://totp/')).toBe(true);
    // Not on until a code proves the app has the secret: the password alone still signs in.
    expect((await passwordStep(who)).res.body.user.email).toBe(who.email);
    await agent.post('/api/auth/2fa/totp/confirm').send({ code: '000000' }).expect(401);

    await awayFromStepEdge();
    const confirm = await agent
      .post('/api/auth/2fa/totp/confirm')
      .send({ code: await totpCode(setup.body.secret, -1) })
      .expect(200);
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirm.body.recoveryCodes).size).toBe(10);
    expect((await agent.get('/api/auth/2fa').expect(200)).body).toEqual({ totp: true, recoveryCodesLeft: 10, required: false, setupRequired: false });
    await agent.post('/api/auth/2fa/totp/setup').expect(409);

    const step1 = await passwordStep(who);
    expect(step1.res.body).toEqual({ secondFactorRequired: true, methods: ['totp', 'recovery_code'] });
    await step1.agent.get('/api/me').expect(401);
    const done = await step1.agent
      .post('/api/auth/2fa/verify')
      .send({ code: await totpCode(setup.body.secret) })
      .expect(200);
    expect(done.body.user.email).toBe(who.email);
    // A new session ID again: the pending one is gone.
    expect(sessionIdOf(kit, done)).not.toBe(step1.sid);
    expect(await kit.infra.redis.exists(sessionKey(kit, step1.sid))).toBe(0);
    const me = await step1.agent.get('/api/me').expect(200);
    expect(me.body.session.authMethods).toEqual(['password', 'totp']);
    expect(Date.parse(me.body.session.authTime)).toBeGreaterThan(Date.now() - 60_000);

    const regenerated = await step1.agent.post('/api/auth/2fa/recovery-codes').expect(200);
    expect(regenerated.body.recoveryCodes).toHaveLength(10);
    expect(regenerated.body.recoveryCodes).not.toEqual(expect.arrayContaining([confirm.body.recoveryCodes[0]]));
    const old = await passwordStep(who);
    await old.agent.post('/api/auth/2fa/verify').send({ recoveryCode: confirm.body.recoveryCodes[0] }).expect(401);

    await step1.agent.delete('/api/auth/2fa/totp').expect(204);
    expect((await passwordStep(who)).res.body.user.email).toBe(who.email);
    expect(await eventTypes(step1.agent)).toEqual(
      expect.arrayContaining(['totp_enabled', 'recovery_codes_regenerated', 'totp_disabled', 'second_factor_failed', 'login_succeeded']),
    );
  });

  test('6.5.1 a code is accepted once: the same code again (inside its window) is refused, at sign-in and at re-authentication', async () => {
    const { who, secret } = await enrolled();
    const code = await totpCode(secret);
    const first = await passwordStep(who);
    await first.agent.post('/api/auth/2fa/verify').send({ code }).expect(200);
    const second = await passwordStep(who);
    const replay = await second.agent.post('/api/auth/2fa/verify').send({ code }).expect(401);
    expect(replay.body.error.code).toBe('invalid_code');
    await first.agent.post('/api/auth/reauth').send({ code }).expect(401);
    // The confirming code (an earlier step) is no good either: steps only move forward.
    await second.agent
      .post('/api/auth/2fa/verify')
      .send({ code: await totpCode(secret, -1) })
      .expect(401);
  });

  test('6.5.5 clock drift: ±1 step is accepted, ±2 steps are not', async () => {
    const { who, secret } = await enrolled();
    await awayFromStepEdge();
    const pending = await passwordStep(who);
    for (const offset of [-3, -2, 2, 3]) {
      await pending.agent
        .post('/api/auth/2fa/verify')
        .send({ code: await totpCode(secret, offset) })
        .expect(401);
    }
    await pending.agent
      .post('/api/auth/2fa/verify')
      .send({ code: await totpCode(secret, 1) })
      .expect(200);
  });

  test('6.5.1/6.5.2 recovery codes work once each, in any case and grouping, and their use is a security event, mailed to the owner', async () => {
    const { who, recoveryCodes } = await enrolled();
    const code = recoveryCodes[3]!;
    const a = await passwordStep(who);
    const done = await a.agent
      .post('/api/auth/2fa/verify')
      .send({ recoveryCode: code.toUpperCase().replace(/-/g, ' ') })
      .expect(200);
    expect(done.body.user.email).toBe(who.email);
    expect((await a.agent.get('/api/me').expect(200)).body.session.authMethods).toEqual(['password', 'recovery_code']);
    expect(await eventTypes(a.agent)).toContain('recovery_code_used');
    expect((await a.agent.get('/api/auth/2fa').expect(200)).body.recoveryCodesLeft).toBe(9);
    // The owner is told by mail, without the code itself.
    const notice = await kit.lastMail(who.email);
    expect(notice.subject).toBe('A recovery code was used to sign in to Cloakroom');
    expect(notice.text).not.toContain(code);

    const b = await passwordStep(who);
    await b.agent.post('/api/auth/2fa/verify').send({ recoveryCode: code }).expect(401);
    // Another user's code opens nothing either.
    const other = await enrolled();
    await b.agent.post('/api/auth/2fa/verify').send({ recoveryCode: other.recoveryCodes[0] }).expect(401);
  });

  test('6.5.2 the database never holds the TOTP secret or a recovery code in the clear', async () => {
    const { who, secret, recoveryCodes } = await enrolled();
    const totp = await kit.infra.db.selectFrom('totpCredentials').selectAll().where('userId', '=', who.user.id).executeTakeFirstOrThrow();
    const codes = await kit.infra.db.selectFrom('recoveryCodes').selectAll().where('userId', '=', who.user.id).execute();
    const everything = JSON.stringify({ totp, codes }).toLowerCase();
    expect(everything).not.toContain(secret.toLowerCase());
    for (const code of recoveryCodes) {
      expect(everything).not.toContain(code.toLowerCase());
      expect(everything).not.toContain(code.replace(/-/g, '').toLowerCase());
    }
    expect(totp.secret.startsWith('v1.')).toBe(true);
    expect(codes).toHaveLength(10);
  });

  test('DATA_ENCRYPTION_KEY rotation: a secret sealed under the old key still works with [new, old], moves to the new key on use, then works with the new key alone', async () => {
    const { who, secret } = await enrolled();
    const NEW = 'the-next-data-encryption-key-also-32-or-more-characters';
    const service = (keys: string[]) =>
      secondFactor({
        repo: kit.services.secondFactors,
        records: kit.services.records,
        box: secretBox(keys),
        events: kit.services.events,
        issuer: 'Test',
        requiredForRoles: [],
        hasPasskey: kit.services.passkeys.management.has,
      });
    await expect(service([NEW]).verifyTotp(who.user.id, await totpCode(secret))).rejects.toThrow();
    await awayFromStepEdge();
    expect(await service([NEW, DATA_KEY]).verifyTotp(who.user.id, await totpCode(secret))).toBe(true);
    expect(await service([NEW]).verifyTotp(who.user.id, await totpCode(secret, 1))).toBe(true);
    // A ciphertext moved to another user's row does not open (bound to its user).
    const other = await enrolled();
    const row = await kit.infra.db.selectFrom('totpCredentials').select('secret').where('userId', '=', who.user.id).executeTakeFirstOrThrow();
    await kit.infra.db.updateTable('totpCredentials').set({ secret: row.secret }).where('userId', '=', other.who.user.id).execute();
    await expect(service([NEW]).verifyTotp(other.who.user.id, await totpCode(secret))).rejects.toThrow();
  });

  test('a pending sign-in reaches no route but the second step: every signed-in route the server mounts answers 401', async () => {
    const { who } = await enrolled();
    const pending = await passwordStep(who);
    const signedInRoutes = ROUTE_IDS.filter((id: RouteId) => API_ROUTES[id].access === 'session' || API_ROUTES[id].access === 'admin');
    expect(signedInRoutes.length).toBeGreaterThan(10);
    for (const id of signedInRoutes) {
      const route = API_ROUTES[id];
      const path = route.path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      const res = await request(kit.app)[route.method](path).set('Cookie', pending.cookie).set('Content-Type', 'application/json').send('{}');
      expect([id, res.status, res.body.error?.code]).toEqual([id, 401, 'unauthenticated']);
    }
    // It lasts at most 5 minutes in Redis.
    const ttl = await kit.infra.redis.pTTL(sessionKeyOf(kit.services.keys, pending.sid)!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300_000);
    // A signed-in session's cookie is no pending sign-in.
    const signedIn = await signIn(kit, await kit.createUser());
    await request(kit.app).post('/api/auth/2fa/verify').set('Cookie', signedIn.cookie).send({ code: '123456' }).expect(401);
  });

  test(`the pending sign-in ends after ${PENDING_MAX_WRONG_CODES} wrong codes: even the right one is refused then`, async () => {
    const { who, secret } = await enrolled();
    const pending = await passwordStep(who);
    for (let i = 0; i < PENDING_MAX_WRONG_CODES; i++) {
      const res = await pending.agent.post('/api/auth/2fa/verify').send({ code: '000000' }).expect(401);
      expect(res.body.error.code).toBe('invalid_code');
    }
    const after = await pending.agent
      .post('/api/auth/2fa/verify')
      .send({ code: await totpCode(secret) })
      .expect(401);
    expect(after.body.error.code).toBe('unauthenticated');
    expect(await kit.infra.redis.exists(sessionKey(kit, pending.sid))).toBe(0);
  });

  test('a password change voids a pending sign-in', async () => {
    const { who, secret } = await enrolled();
    const pending = await passwordStep(who);
    await kit.infra.db
      .updateTable('users')
      .set({ credentialVersion: who.user.credentialVersion + 1 })
      .where('id', '=', who.user.id)
      .execute();
    await pending.agent
      .post('/api/auth/2fa/verify')
      .send({ code: await totpCode(secret) })
      .expect(401);
  });
});

describe('V6.5 wrong codes and lockout', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ env: { DATA_ENCRYPTION_KEY: DATA_KEY, LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_DELAY: '60' } });
  });
  afterAll(() => kit.close());

  test('6.3.1 wrong codes count against the same lockout as wrong passwords: the pair locks, and 429 comes with Retry-After', async () => {
    const who = await kit.createUser();
    const { agent } = await signIn(kit, who);
    const { secret } = await enrolTotp(agent);
    const pending = kit.agent();
    await pending.post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200);
    for (let i = 0; i < 3; i++) await pending.post('/api/auth/2fa/verify').send({ code: '000000' }).expect(401);
    const locked = await pending
      .post('/api/auth/2fa/verify')
      .send({ code: await totpCode(secret) })
      .expect(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // The password from the same address is locked out too: one lock for both.
    await kit.agent().post('/api/auth/login').send({ email: who.email, password: who.password }).expect(429);
  });
});
