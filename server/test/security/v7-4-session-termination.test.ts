/**
 * ASVS 5.0 V7.4 Session termination: logout, credential changes, admin termination,
 * every instance at once. Proven elsewhere and not repeated here: logout deletes the
 * record and clears the cookie with the same attributes (logout.test.ts,
 * cookies.test.ts); a slow request finishing after logout cannot resurrect the session
 * (session-store.test.ts). There is no "disable account" feature: 7.4.2 is proven by
 * deleting the account (one session on /api/me: me.test.ts; every device here).
 */
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { createApp } from '../../src/app';
import { signIn, sessionKey } from './helpers';

describe.each(testDatabases())('V7.4 session termination ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  const me = (cookie: string) => request(kit.app).get('/api/me').set('Cookie', cookie);

  test('7.4.1 logout also tells the browser to drop what it kept (Clear-Site-Data), is never cached, and the old cookie opens none of the account-security routes', async () => {
    const who = await kit.createUser({ role: 'admin' });
    const { agent, cookie } = await signIn(kit, who);
    const out = await agent.post('/api/auth/logout').expect(204);
    expect(out.headers['clear-site-data']).toBe('"cache", "storage"');
    expect(out.headers['cache-control']).toBe('no-store');
    for (const path of ['/api/me', '/api/auth/sessions', '/api/auth/events', '/api/admin/users']) {
      await request(kit.app).get(path).set('Cookie', cookie).expect(401);
    }
  });

  test('7.4.2 deleting an account ends every one of its sessions, on every route, and empties its session index', async () => {
    const who = await kit.createUser({ role: 'admin' });
    const devices = await Promise.all([signIn(kit, who), signIn(kit, who), signIn(kit, who)]);
    // Every device has been seen once (the user's record is in Redis), then the row goes,
    // as every deletion does, through the record (auth/user-records.ts).
    for (const d of devices) await request(kit.app).get('/api/me').set('Cookie', d.cookie).expect(200);
    await kit.services.records.change(who.user.id, () => kit.infra.db.deleteFrom('users').where('id', '=', who.user.id).execute());
    for (const d of devices) {
      for (const path of ['/api/auth/sessions', '/api/auth/events', '/api/admin/users', '/api/me'])
        await request(kit.app).get(path).set('Cookie', d.cookie).expect(401);
      expect(await kit.infra.redis.exists(sessionKey(kit, d.sid))).toBe(0);
    }
    expect(await kit.infra.redis.zCard(kit.services.keys.userSessions(who.user.id))).toBe(0);
  });

  test('7.4.3 a password change ends every other session; the current one continues under a new session ID', async () => {
    const who = await kit.createUser();
    const [a, b, c] = await Promise.all([signIn(kit, who), signIn(kit, who), signIn(kit, who)]);

    const res = await a.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: 'a brand new passphrase' }).expect(200);
    expect(res.body.revoked).toBe(2);

    await me(b.cookie).expect(401);
    await me(c.cookie).expect(401);
    await me(a.cookie).expect(401); // the old ID of the session that made the change
    await a.agent.get('/api/me').expect(200); // its new ID, from the answer's Set-Cookie
    for (const s of [a, b, c]) expect(await kit.infra.redis.exists(sessionKey(kit, s.sid))).toBe(0);
    expect(await kit.infra.redis.zCard(kit.services.keys.userSessions(who.user.id))).toBe(1);
  });

  test('7.4.3 a session that began before the password change is refused even if its record survived', async () => {
    const who = await kit.createUser();
    const a = await signIn(kit, who);
    const b = await signIn(kit, who);
    const bKey = sessionKey(kit, b.sid);
    const survivor = (await kit.infra.redis.get(bKey))!;

    await a.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: 'another new passphrase' }).expect(200);
    // As if a late write (or a restored backup) put the record back.
    await kit.infra.redis.set(bKey, survivor, { PX: 60_000 });

    await me(b.cookie).expect(401);
    expect(await kit.infra.redis.exists(bKey)).toBe(0);
  });

  test('7.4.5 an admin ends every session of one user; non-admins cannot', async () => {
    const admin = await kit.signedInAgent({ role: 'admin' });
    const target = await kit.createUser();
    const sessions = await Promise.all([signIn(kit, target), signIn(kit, target), signIn(kit, target)]);

    const stranger = await kit.signedInAgent();
    await stranger.agent.delete(`/api/admin/users/${target.user.id}/sessions`).expect(403);
    for (const s of sessions) await me(s.cookie).expect(200);

    const res = await admin.agent.delete(`/api/admin/users/${target.user.id}/sessions`).expect(200);
    expect(res.body).toEqual({ revoked: 3 });
    for (const s of sessions) await me(s.cookie).expect(401);
  });

  test('7.4.5 all users: replacing SESSION_SECRET (dropping the old one) signs everyone out', async () => {
    const who = await kit.createUser();
    const { cookie } = await signIn(kit, who);
    const rotatedKeepingOld = createApp({
      ...kit.infra,
      config: { ...kit.config, session: { ...kit.config.session, secrets: ['n'.repeat(40), ...kit.config.session.secrets] } },
    }).handler;
    await request(rotatedKeepingOld).get('/api/me').set('Cookie', cookie).expect(200);
    const replaced = createApp({ ...kit.infra, config: { ...kit.config, session: { ...kit.config.session, secrets: ['n'.repeat(40)] } } }).handler;
    await request(replaced).get('/api/me').set('Cookie', cookie).expect(401);
  });

  test('7.4.1 a revocation holds on every instance: another app on the same Redis and database refuses the session at once', async () => {
    const who = await kit.createUser();
    const a = await signIn(kit, who);
    const b = await signIn(kit, who);
    const otherInstance = createApp(kit.infra).handler;
    await request(otherInstance).get('/api/me').set('Cookie', b.cookie).expect(200);

    await a.agent.delete('/api/auth/sessions').expect(200);

    await request(otherInstance).get('/api/me').set('Cookie', b.cookie).expect(401);
  });
});
