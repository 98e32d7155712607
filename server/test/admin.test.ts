/** /api/admin: users in cursor pages with email-prefix search, role changes that hold
 *  on the target's very next request on every instance, the last-admin rule, ending a
 *  user's sessions; 401 signed out, 403 for non-admins, 404 for unknown users. */
import request from 'supertest';
import { adminUsersResponseSchema, errorBodySchema } from '@cloakroom/shared';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { createApp } from '../src/app';
import { signIn } from './security/helpers';

/** How many admins the database holds. */
const adminCount = async (kit: TestApp) => (await kit.infra.db.selectFrom('users').select('id').where('role', '=', 'admin').execute()).length;

describe.each(testDatabases())('admin on $name', ({ databaseUrl }) => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl });
  });
  afterAll(() => kit.close());

  const code = (res: request.Response) => errorBodySchema.parse(res.body).error.code;

  test('every admin route: 401 signed out, 403 forbidden for a user, and a refused change changes nothing', async () => {
    const target = await kit.createUser();
    const user = await kit.signedInAgent();
    const calls = [
      (a: ReturnType<TestApp['agent']>) => a.get('/api/admin/users'),
      (a: ReturnType<TestApp['agent']>) => a.patch(`/api/admin/users/${target.user.id}`).send({ role: 'admin' }),
      (a: ReturnType<TestApp['agent']>) => a.delete(`/api/admin/users/${target.user.id}/sessions`),
    ];
    for (const call of calls) {
      expect(code(await call(kit.agent()).expect(401))).toBe('unauthenticated');
      expect(code(await call(user.agent).expect(403))).toBe('forbidden');
    }
    expect((await kit.services.users.findById(target.user.id))!.role).toBe('user');
  });

  test('users come in pages: limit, an opaque nextCursor until the last page, every user exactly once, in email order', async () => {
    const prefix = `page-${Date.now()}`;
    const emails = Array.from({ length: 7 }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}@example.test`);
    for (const email of emails.slice().reverse()) await kit.createUser({ email });
    const admin = await kit.signedInAgent({ role: 'admin' });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { limit: '3', email: prefix, ...(cursor ? { cursor } : {}) };
      const res = await admin.agent.get('/api/admin/users').query(query).expect(200);
      const page = adminUsersResponseSchema.parse(res.body);
      expect(page.users.length).toBeLessThanOrEqual(3);
      for (const u of page.users) expect(Object.keys(u).sort()).toEqual(['createdAt', 'email', 'emailVerified', 'id', 'name', 'role']);
      seen.push(...page.users.map((u) => u.email));
      cursor = page.nextCursor;
      if (cursor) expect(cursor).not.toContain('@'); // opaque, not the raw email
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(emails);
    // An empty cursor is the first page, as no cursor is.
    const first = await admin.agent.get('/api/admin/users').query({ limit: '3', email: prefix, cursor: '' }).expect(200);
    expect(first.body.users.map((u: { email: string }) => u.email)).toEqual(emails.slice(0, 3));
  });

  test('search is a case-insensitive email prefix, with LIKE wildcards taken literally', async () => {
    const stamp = Date.now();
    await kit.createUser({ email: `ab_c${stamp}@example.test` });
    await kit.createUser({ email: `abxc${stamp}@example.test` });
    await kit.createUser({ email: `ab%c${stamp}@example.test` });
    const admin = await kit.signedInAgent({ role: 'admin' });
    const find = async (email: string) =>
      (await admin.agent.get('/api/admin/users').query({ email }).expect(200)).body.users.map((u: { email: string }) => u.email);
    expect(await find(`AB_C${stamp}`)).toEqual([`ab_c${stamp}@example.test`]);
    expect(await find('ab%')).toEqual([`ab%c${stamp}@example.test`]);
    expect(await find(`abxc${stamp}@`)).toEqual([`abxc${stamp}@example.test`]);
    expect(await find(`zz-nobody-${stamp}`)).toEqual([]);
  });

  test('bad query values are 400 validation_failed, never a 500', async () => {
    const admin = await kit.signedInAgent({ role: 'admin' });
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=%%%', `cursor=${'a'.repeat(401)}`, 'cursor=not*base64', 'limit=1&limit=2']) {
      const res = await admin.agent.get(`/api/admin/users?${query}`);
      expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'validation_failed']);
    }
  });

  test("a promotion holds on the user's very next request, on every instance: /api/me says admin and admin routes open", async () => {
    const admin = await kit.signedInAgent({ role: 'admin' });
    const target = await signIn(kit, await kit.createUser());
    const otherInstance = createApp(kit.infra).handler;
    const elsewhere = () => request(otherInstance).get('/api/admin/users').set('Cookie', target.cookie);
    await target.agent.get('/api/admin/users').expect(403);

    const targetId = (await target.agent.get('/api/me').expect(200)).body.user.id as string;
    const res = await admin.agent.patch(`/api/admin/users/${targetId}`).send({ role: 'admin' }).expect(200);
    expect(res.body.user).toMatchObject({ id: targetId, role: 'admin' });

    expect((await target.agent.get('/api/me').expect(200)).body.user.role).toBe('admin');
    await target.agent.get('/api/admin/users').expect(200);
    await elsewhere().expect(200);

    await admin.agent.patch(`/api/admin/users/${targetId}`).send({ role: 'user' }).expect(200);
    await target.agent.get('/api/admin/users').expect(403);
    await elsewhere().expect(403);
    expect((await target.agent.get('/api/me').expect(200)).body.user.role).toBe('user');
  });

  test('the last admin cannot demote themselves: 409 last_admin, nothing changes; with a second admin they can', async () => {
    const solo = await createTestApp({ databaseUrl });
    try {
      const admin = await solo.signedInAgent({ role: 'admin' });
      const res = await admin.agent.patch(`/api/admin/users/${admin.user.id}`).send({ role: 'user' }).expect(409);
      expect(code(res)).toBe('last_admin');
      expect((await solo.services.users.findById(admin.user.id))!.role).toBe('admin');
      await admin.agent.get('/api/admin/users').expect(200);

      const second = await solo.createUser({ role: 'admin' });
      await admin.agent.patch(`/api/admin/users/${admin.user.id}`).send({ role: 'user' }).expect(200);
      await admin.agent.get('/api/admin/users').expect(403); // on the very next request
      expect(await adminCount(solo)).toBe(1);
      expect((await solo.services.users.findById(second.user.id))!.role).toBe('admin');
    } finally {
      await solo.close();
    }
  });

  test('two admins demoting each other at once: exactly one succeeds, an admin always remains', async () => {
    const pair = await createTestApp({ databaseUrl });
    try {
      const a = await pair.signedInAgent({ role: 'admin' });
      const b = await pair.signedInAgent({ role: 'admin' });
      const [ra, rb] = await Promise.all([
        a.agent.patch(`/api/admin/users/${b.user.id}`).send({ role: 'user' }),
        b.agent.patch(`/api/admin/users/${a.user.id}`).send({ role: 'user' }),
      ]);
      // The loser is refused as the last admin (409), or, if the winner's change landed
      // before the loser's request was authorised, as no longer an admin (403).
      expect([
        [200, 403],
        [200, 409],
      ]).toContainEqual([ra.status, rb.status].sort());
      expect(await adminCount(pair)).toBe(1);
    } finally {
      await pair.close();
    }
  });

  test('role changes: a body that is not {role: user|admin} is 400; an unknown or malformed id is 404', async () => {
    const admin = await kit.signedInAgent({ role: 'admin' });
    const target = await kit.createUser();
    for (const body of [{}, { role: 'root' }, { role: ['admin'] }, { role: null }]) {
      expect(code(await admin.agent.patch(`/api/admin/users/${target.user.id}`).send(body).expect(400))).toBe('validation_failed');
    }
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1"]) {
      expect(
        code(
          await admin.agent
            .patch(`/api/admin/users/${encodeURIComponent(id)}`)
            .send({ role: 'admin' })
            .expect(404),
        ),
      ).toBe('not_found');
      expect(code(await admin.agent.delete(`/api/admin/users/${encodeURIComponent(id)}/sessions`).expect(404))).toBe('not_found');
    }
    expect((await kit.services.users.findById(target.user.id))!.role).toBe('user');
  });

  test("ending a user's sessions answers how many ended; an admin ending their own keeps the one in use", async () => {
    const admin = await kit.signedInAgent({ role: 'admin' });
    const target = await kit.createUser();
    const sessions = await Promise.all([kit.signedInAgent(target), kit.signedInAgent(target)]);
    expect((await admin.agent.delete(`/api/admin/users/${target.user.id}/sessions`).expect(200)).body).toEqual({ revoked: 2 });
    for (const s of sessions) await s.agent.get('/api/me').expect(401);
    expect((await admin.agent.delete(`/api/admin/users/${target.user.id}/sessions`).expect(200)).body).toEqual({ revoked: 0 });

    const elsewhere = await kit.signedInAgent(admin);
    expect((await admin.agent.delete(`/api/admin/users/${admin.user.id}/sessions`).expect(200)).body).toEqual({ revoked: 1 });
    await elsewhere.agent.get('/api/me').expect(401);
    await admin.agent.get('/api/me').expect(200);
  });
});
