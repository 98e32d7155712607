/**
 * ASVS 5.0 V7.5 (defenses against session abuse): re-authentication before sensitive
 * actions (step-up, 7.5.1 and 7.5.2), and REQUIRE_2FA_FOR_ROLES (6.5 policy). The sensitive routes are read from the
 * route table (`recentAuth`), so a new one cannot be left out of this test.
 */
import request from 'supertest';
import { API_ROUTES, ROUTE_IDS, type RouteId, type RouteSpec } from '@cloakroom/shared';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { sessionHandle } from '../../src/auth/session/handle';
import { ageAuthentication, awayFromStepEdge, enrolTotp, totpCode } from '../helpers/two-factor';
import { SoftAuthenticator } from '../helpers/soft-authenticator';
import { signIn } from './helpers';

const TEN_MINUTES = 600_000;
const ORIGIN = 'http://localhost:3000';

describe('V7.5 step-up', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ env: { DATA_ENCRYPTION_KEY: 'a-test-data-encryption-key-of-32-or-more-characters' } });
  });
  afterAll(() => kit.close());

  const sensitive = ROUTE_IDS.filter((id: RouteId) => (API_ROUTES[id] as RouteSpec).recentAuth === true);

  test('the sensitive actions of DESIGN.md are all marked in the route table', () => {
    expect(sensitive.sort()).toEqual(
      [
        'changeEmail',
        'changePassword',
        'changeUserRole',
        'confirmTotp',
        'disableTotp',
        'passkeyRegistrationOptions',
        'regenerateRecoveryCodes',
        'removePasskey',
        'resetUserSecondFactor',
        'revokeOtherSessions',
        'revokeSession',
        'revokeUserSessions',
        'setupTotp',
      ].sort(),
    );
  });

  test('7.5.1/7.5.2 every sensitive route answers 403 reauth_required once the last authentication is older than REAUTH_WINDOW, and nothing changes', async () => {
    const admin = await kit.createUser({ role: 'admin' });
    const target = await kit.createUser();
    const session = await signIn(kit, admin);
    const other = await signIn(kit, admin);
    await ageAuthentication(kit, admin.user.id, session.handle, TEN_MINUTES + 1000);
    for (const id of sensitive) {
      const route = API_ROUTES[id];
      const path = route.path.replace(':id', id === 'revokeSession' ? sessionHandle(other.sid) : target.user.id);
      const body =
        id === 'changePassword'
          ? { currentPassword: admin.password, newPassword: 'another long passphrase' }
          : id === 'changeUserRole'
            ? { role: 'admin' }
            : id === 'confirmTotp'
              ? { code: '123456' }
              : undefined;
      const res = await request(kit.app)[route.method](path).set('Cookie', session.cookie).send(body);
      expect([id, res.status, res.body.error?.code]).toEqual([id, 403, 'reauth_required']);
    }
    // Nothing happened: the other session lives, the role is unchanged, the password too.
    await request(kit.app).get('/api/me').set('Cookie', other.cookie).expect(200);
    expect((await kit.services.users.findById(target.user.id))?.role).toBe('user');
    await signIn(kit, admin);
  });

  test('7.5.2 after re-authenticating with the password, ending other sessions works; /api/me shows the new authTime', async () => {
    const who = await kit.createUser();
    const a = await signIn(kit, who);
    const b = await signIn(kit, who);
    await ageAuthentication(kit, who.user.id, a.handle, TEN_MINUTES + 1000);
    await a.agent.delete('/api/auth/sessions').expect(403);
    await a.agent.post('/api/auth/reauth').send({ password: 'not the password' }).expect(401);
    const re = await a.agent.post('/api/auth/reauth').send({ password: who.password }).expect(200);
    const me = await a.agent.get('/api/me').expect(200);
    expect(me.body.session.authTime).toBe(re.body.authTime);
    expect(me.body.session.authMethods).toEqual(['password']);
    expect((await a.agent.delete('/api/auth/sessions').expect(200)).body.revoked).toBe(1);
    await request(kit.app).get('/api/me').set('Cookie', b.cookie).expect(401);
  });

  test('an account with a second factor re-authenticates with it: the password alone is refused', async () => {
    const who = await kit.createUser();
    const first = await signIn(kit, who);
    const { secret } = await enrolTotp(first.agent);
    const s = kit.agent();
    await s.post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200);
    await awayFromStepEdge();
    const done = await s
      .post('/api/auth/2fa/verify')
      .send({ code: await totpCode(secret) })
      .expect(200);
    expect(done.body.user.id).toBe(who.user.id);
    const me = await s.get('/api/me').expect(200);
    await ageAuthentication(kit, who.user.id, me.body.session.id as string, TEN_MINUTES + 1000);
    await s.post('/api/auth/2fa/recovery-codes').expect(403);
    const refused = await s.post('/api/auth/reauth').send({ password: who.password }).expect(401);
    expect(refused.body.error.code).toBe('invalid_credentials');
    await s.post('/api/auth/reauth').send({ code: '000000' }).expect(401);
    await s
      .post('/api/auth/reauth')
      .send({ code: await totpCode(secret, 1) })
      .expect(200);
    expect((await s.get('/api/me').expect(200)).body.session.authMethods).toEqual(['totp']);
    await s.post('/api/auth/2fa/recovery-codes').expect(200);
  });

  test('a passkey re-authentication that is no assertion of this session proves nothing (the passkey flow itself: passkeys.test.ts)', async () => {
    const { agent } = await signIn(kit, await kit.createUser());
    const res = await agent
      .post('/api/auth/reauth')
      .send({ passkey: { id: 'x' } })
      .expect(401);
    expect(res.body.error.code).toBe('invalid_credentials');
  });
});

describe('REQUIRE_2FA_FOR_ROLES', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({
      env: { REQUIRE_2FA_FOR_ROLES: 'admin', DATA_ENCRYPTION_KEY: 'a-test-data-encryption-key-of-32-or-more-characters', APP_ORIGIN: ORIGIN },
    });
  });
  afterAll(() => kit.close());

  test('an admin without a second factor can only set one up; once set up, everything opens; users are not affected', async () => {
    const admin = await kit.createUser({ role: 'admin' });
    const { agent } = await signIn(kit, admin);
    await agent.get('/api/me').expect(200);
    expect((await agent.get('/api/auth/2fa').expect(200)).body).toMatchObject({ required: true, setupRequired: true });
    const refused = await agent.get('/api/admin/users').expect(403);
    expect(refused.body.error.code).toBe('second_factor_setup_required');
    await agent.get('/api/auth/sessions').expect(403);
    await enrolTotp(agent);
    await agent.get('/api/admin/users').expect(200);
    await agent.get('/api/auth/sessions').expect(200);
    // Whether the user has a second factor is in their Redis record (no SQL per request):
    // removing it shows on the very next request.
    await agent.delete('/api/auth/2fa/totp').expect(204);
    await agent.get('/api/admin/users').expect(403);

    const user = await signIn(kit, await kit.createUser());
    await user.agent.get('/api/auth/sessions').expect(200);
  });

  test('a session begun with a passkey meets the policy without the app; a password session of the same admin does not, and re-authenticating by password changes neither', async () => {
    const admin = await kit.createUser({ role: 'admin' });
    const { agent } = await signIn(kit, admin);
    await agent.get('/api/admin/users').expect(403);
    // Adding a passkey is one way to meet the policy, so it is open before a second factor.
    const key = new SoftAuthenticator(ORIGIN);
    const options = await agent.post('/api/auth/passkeys/register/options').expect(200);
    await agent
      .post('/api/auth/passkeys')
      .send({ response: key.create(options.body) })
      .expect(201);
    await agent.get('/api/auth/passkeys').expect(200);
    // This session began with the password alone: still held back.
    await agent.get('/api/admin/users').expect(403);
    expect((await agent.get('/api/auth/2fa').expect(200)).body).toMatchObject({ totp: false, required: true, setupRequired: true });

    const viaPasskey = kit.agent();
    const login = await viaPasskey.post('/api/auth/passkeys/login/options').expect(200);
    await viaPasskey
      .post('/api/auth/passkeys/login')
      .send({ response: key.get(login.body) })
      .expect(200);
    await viaPasskey.get('/api/admin/users').expect(200);
    expect((await viaPasskey.get('/api/auth/2fa').expect(200)).body).toMatchObject({ totp: false, required: true, setupRequired: false });
    await viaPasskey.post('/api/auth/reauth').send({ password: admin.password }).expect(200);
    await viaPasskey.get('/api/admin/users').expect(200);
    await agent.post('/api/auth/reauth').send({ password: admin.password }).expect(200);
    await agent.get('/api/admin/users').expect(403);
  });

  test("an admin can reset another user's second factor (who then signs in with the password alone); the user's trail says so", async () => {
    const admin = await kit.createUser({ role: 'admin' });
    const adminSession = await signIn(kit, admin);
    await enrolTotp(adminSession.agent);
    const lost = await kit.createUser();
    const { agent } = await signIn(kit, lost);
    await enrolTotp(agent);
    const before = await kit.agent().post('/api/auth/login').send({ email: lost.email, password: lost.password }).expect(200);
    expect(before.body.secondFactorRequired).toBe(true);

    await adminSession.agent.delete(`/api/admin/users/${lost.user.id}/2fa`).expect(204);
    await adminSession.agent.delete(`/api/admin/users/${lost.user.id}/2fa`).expect(409);
    await adminSession.agent.delete('/api/admin/users/not-a-user/2fa').expect(404);
    const after = await kit.agent().post('/api/auth/login').send({ email: lost.email, password: lost.password }).expect(200);
    expect(after.body.user.id).toBe(lost.user.id);
    const events = await kit.services.events.recent(lost.user.id);
    expect(events.find((e) => e.type === 'totp_disabled')?.details).toEqual({ resetBy: admin.user.id });
    // Not for other users.
    await agent.delete(`/api/admin/users/${admin.user.id}/2fa`).expect(403);
  });
});
