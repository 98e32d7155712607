/** GET /api/me: 200 {user, session} where session.id is a public handle, never the
 *  cookie's session ID; 401 unauthenticated for every way of not being signed in. */
import { createHash } from 'node:crypto';
import { meResponseSchema, publicUserSchema, SESSION_COOKIE_PLAIN, sessionInfoSchema } from '@cloakroom/shared';
import signature from 'cookie-signature';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { routingTag } from '../src/redis/keys';
import { dropUserRecords } from '../src/auth/user-records';
import { signIn } from './helpers/sign-in';

describe.each(testDatabases())('/api/me on $name', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  async function signInTimed() {
    const who = await kit.createUser({ name: 'Mo' });
    const before = Date.now();
    const signedIn = await signIn(kit, who);
    return { ...signedIn, before, after: Date.now() };
  }

  test('200 {user, session} in exactly the contract shape', async () => {
    const { agent, user, email, sid, before, after } = await signInTimed();
    const res = await agent.get('/api/me').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = meResponseSchema.strict().parse(res.body);
    publicUserSchema.strict().parse(body.user);
    sessionInfoSchema.strict().parse(body.session);
    expect(body.user).toEqual({ id: user.id, email, name: 'Mo', role: 'user', createdAt: new Date(user.createdAt).toISOString(), emailVerified: false });

    // The public handle: SHA-256 of the session ID. It names the session; it is not the session ID.
    expect(body.session.id).toBe(createHash('sha256').update(sid).digest('base64url'));
    expect(res.text).not.toContain(sid);

    const createdAt = Date.parse(body.session.createdAt);
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(createdAt).toBeLessThanOrEqual(after);
    expect(Date.parse(body.session.expiresAt)).toBe(createdAt + kit.config.session.absoluteTimeoutMs);
    // Defaults: the idle limit (24 h) counts from the last recorded activity, here the sign-in.
    expect(Date.parse(body.session.idleExpiresAt)).toBe(createdAt + kit.config.session.idleTimeoutMs);
  });

  test('401 unauthenticated without a cookie', async () => {
    const res = await kit.agent().get('/api/me').expect(401);
    expect(res.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  test('401 with a tampered signature, a forged ID, or a cookie signed by another secret', async () => {
    const { setCookie: cookie, sid } = await signIn(kit);
    const secret = kit.config.session.secrets[0];
    const tampered = `${cookie.value.slice(0, -2)}${cookie.value.endsWith('AA') ? 'BB' : 'AA'}`;
    const cases = [
      `s:${sid}`, // the ID without its signature
      tampered,
      `s:${signature.sign(sid, 'not the server secret at all, really')}`,
      `s:${signature.sign('x'.repeat(32), secret)}`, // validly signed, no such session
      sid, // the bare ID
    ];
    for (const value of cases) {
      await kit
        .agent()
        .get('/api/me')
        .set('Cookie', `${SESSION_COOKIE_PLAIN}=${encodeURIComponent(value)}`)
        .expect(401);
    }
  });

  test('two session cookies in one request (cookie tossing) count as signed out', async () => {
    const a = await signIn(kit);
    const b = await signIn(kit);
    await kit.agent().get('/api/me').set('Cookie', `${a.cookie}; ${b.cookie}`).expect(401);
    await kit.agent().get('/api/me').set('Cookie', `${a.cookie}; ${a.cookie}`).expect(401);
    await kit.agent().get('/api/me').set('Cookie', `other=1; ${a.cookie}`).expect(200);
  });

  test('a role change shows on the very next request', async () => {
    const { agent, user } = await signIn(kit);
    expect((await agent.get('/api/me').expect(200)).body.user.role).toBe('user');
    await kit.services.admin.changeRole('test', user.id, 'admin', { ip: null, userAgent: null });
    expect((await agent.get('/api/me').expect(200)).body.user.role).toBe('admin');
  });

  test('an edit made by hand in SQL shows once the user records are dropped (the documented gap)', async () => {
    const { agent, user } = await signIn(kit, await kit.createUser({ name: 'Mo' }));
    expect((await agent.get('/api/me').expect(200)).body.user.name).toBe('Mo');
    await kit.infra.db.updateTable('users').set({ name: 'Edited By Hand' }).where('id', '=', user.id).execute();
    expect((await agent.get('/api/me').expect(200)).body.user.name).toBe('Mo');
    await dropUserRecords(kit.infra.redis, kit.services.keys);
    expect((await agent.get('/api/me').expect(200)).body.user.name).toBe('Edited By Hand');
  });

  test('a user who no longer exists is signed out, and the session record goes too', async () => {
    const { agent, user, sid } = await signIn(kit);
    await agent.get('/api/me').expect(200);
    await kit.services.records.change(user.id, () => kit.infra.db.deleteFrom('users').where('id', '=', user.id).execute());
    await agent.get('/api/me').expect(401);
    const handle = createHash('sha256').update(sid).digest('base64url');
    expect(await kit.infra.redis.exists(kit.services.keys.session(routingTag(user.id), handle))).toBe(0);
  });
});
