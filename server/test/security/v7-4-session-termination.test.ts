/**
 * ASVS 5.0 V7.4 Session termination: logout, deleted accounts, credential changes,
 * admin termination, and the race between a logout and a slow request.
 */
import express from 'express';
import request from 'supertest';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { createApp } from '../../src/app';
import { sessionMiddleware } from '../../src/http/middleware/session';
import { logInAs, sessionKey, setCookies } from './helpers';

describe.each(testDatabases())('V7.4 session termination ($name)', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  const me = (cookie: string) => request(kit.app).get('/api/me').set('Cookie', cookie);

  test('7.4.1 logout deletes the session in Redis, clears the cookie with the same attributes, and the old cookie is refused', async () => {
    const who = await kit.createUser();
    const { agent, cookie, sid, res: login } = await logInAs(kit, who);
    const { redis } = kit.infra;
    expect(await redis.exists(sessionKey(kit, sid))).toBe(1);

    const out = await agent.post('/api/auth/logout').expect(204);

    expect(await redis.exists(sessionKey(kit, sid))).toBe(0);
    expect(await redis.zCard(kit.services.keys.userSessions(who.user.id))).toBe(0);
    const set = setCookies(login).find((c) => c.name === kit.services.cookie.name)!;
    const cleared = setCookies(out).find((c) => c.name === kit.services.cookie.name)!;
    expect(cleared.value).toBe('');
    expect(new Date(String(cleared.attributes.expires)).getTime()).toBeLessThan(Date.now());
    for (const attr of ['path', 'httponly', 'samesite', 'domain', 'secure']) expect(cleared.attributes[attr]).toEqual(set.attributes[attr]);
    expect(out.headers['cache-control']).toBe('no-store');
    expect(out.headers['clear-site-data']).toBe('"cache", "storage"');

    await me(cookie).expect(401);
    await request(kit.app).get('/api/auth/sessions').set('Cookie', cookie).expect(401);
  });

  test('7.4.2 deleting an account ends all of its sessions on their next request', async () => {
    const who = await kit.createUser();
    const sessions = await Promise.all([logInAs(kit, who), logInAs(kit, who), logInAs(kit, who)]);
    for (const s of sessions) await me(s.cookie).expect(200);

    await kit.infra.db.deleteFrom('users').where('id', '=', who.user.id).execute();

    for (const s of sessions) {
      await me(s.cookie).expect(401);
      expect(await kit.infra.redis.exists(sessionKey(kit, s.sid))).toBe(0);
    }
  });

  test('7.4.3 a password change ends every other session; the current one continues under a new session ID', async () => {
    const who = await kit.createUser();
    const [a, b, c] = await Promise.all([logInAs(kit, who), logInAs(kit, who), logInAs(kit, who)]);

    const res = await a.agent.post('/api/auth/password').send({ currentPassword: who.password, newPassword: 'a brand new passphrase' }).expect(200);
    expect(res.body.revoked).toBe(2);

    await me(b!.cookie).expect(401);
    await me(c!.cookie).expect(401);
    await me(a!.cookie).expect(401); // the old ID of the session that made the change
    await a!.agent.get('/api/me').expect(200); // its new ID, from the answer's Set-Cookie
    for (const s of [a!, b!, c!]) expect(await kit.infra.redis.exists(sessionKey(kit, s.sid))).toBe(0);
    expect(await kit.infra.redis.zCard(kit.services.keys.userSessions(who.user.id))).toBe(1);
  });

  test('7.4.3 a session that began before the password change is refused even if its record survived', async () => {
    const who = await kit.createUser();
    const a = await logInAs(kit, who);
    const b = await logInAs(kit, who);
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
    const sessions = await Promise.all([logInAs(kit, target), logInAs(kit, target), logInAs(kit, target)]);

    const stranger = await kit.signedInAgent();
    await stranger.agent.delete(`/api/admin/users/${target.user.id}/sessions`).expect(403);
    for (const s of sessions) await me(s.cookie).expect(200);

    const res = await admin.agent.delete(`/api/admin/users/${target.user.id}/sessions`).expect(200);
    expect(res.body).toEqual({ revoked: 3 });
    for (const s of sessions) await me(s.cookie).expect(401);
  });

  test('7.4.5 all users: replacing SESSION_SECRET (dropping the old one) signs everyone out', async () => {
    const who = await kit.createUser();
    const { cookie } = await logInAs(kit, who);
    const rotatedKeepingOld = createApp({ ...kit.infra, config: { ...kit.config, session: { ...kit.config.session, secrets: ['n'.repeat(40), ...kit.config.session.secrets] } } });
    await request(rotatedKeepingOld.app).get('/api/me').set('Cookie', cookie).expect(200);
    const replaced = createApp({ ...kit.infra, config: { ...kit.config, session: { ...kit.config.session, secrets: ['n'.repeat(40)] } } });
    await request(replaced.app).get('/api/me').set('Cookie', cookie).expect(401);
  });

  test('7.4.1 a revocation holds on every instance: another app on the same Redis and database refuses the session at once', async () => {
    const who = await kit.createUser();
    const a = await logInAs(kit, who);
    const b = await logInAs(kit, who);
    const otherInstance = createApp(kit.infra).app;
    await request(otherInstance).get('/api/me').set('Cookie', b.cookie).expect(200);

    await a.agent.delete('/api/auth/sessions').expect(200);

    await request(otherInstance).get('/api/me').set('Cookie', b.cookie).expect(401);
  });

  test('7.4.1 logout racing a slow request: the slow request finishing afterwards cannot bring the session back', async () => {
    const who = await kit.createUser();
    const { cookie, sid } = await logInAs(kit, who);
    // A test-only route on the same session store, as a second router of the app would
    // be: it passes authentication, waits, then writes to the session.
    const session = sessionMiddleware({
      store: kit.services.store,
      cookie: kit.services.cookie,
      secrets: kit.config.session.secrets,
      limits: kit.services.limits,
      authenticate: kit.services.authenticate,
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const outer = express();
    outer.get('/__test/slow-write', session.load, session.requireAuth, async (req, res) => {
      entered();
      await gate;
      (req.session as unknown as { note: number }).note = Date.now(); // a write, so express-session saves
      res.json({ ok: true });
    });
    outer.use(kit.app);

    const save = jest.spyOn(kit.services.store, 'set');
    const slow = request(outer).get('/__test/slow-write').set('Cookie', cookie).then((r) => r);
    await inside;
    await request(outer).post('/api/auth/logout').set('Cookie', cookie).expect(204);
    expect(await kit.infra.redis.exists(sessionKey(kit, sid))).toBe(0);
    save.mockClear();
    release();
    expect((await slow).status).toBe(200);

    expect(save).toHaveBeenCalledTimes(1); // the late save really happened...
    save.mockRestore();
    expect(await kit.infra.redis.exists(sessionKey(kit, sid))).toBe(0); // ...and wrote nothing
    await request(outer).get('/api/me').set('Cookie', cookie).expect(401);
  });
});
