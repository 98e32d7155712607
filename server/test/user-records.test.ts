/**
 * The user's auth state in Redis (auth/user-records.ts): GET /api/me and every session
 * check run no SQL in the steady state, and the record is never stale:
 *   - a role change, a password change and a deletion show on the very next request,
 *     on this instance and on another one sharing the Redis and the database;
 *   - a refill racing a change never writes the row it read before the change;
 *   - Redis failing before a change refuses it with nothing written; failing after the
 *     SQL write leaves no stale record (the "changing" mark stays, reads go to SQL);
 *   - losing the records costs one SQL read per user, never a wrong answer.
 * SQL statements are counted on the connection itself (better-sqlite3's statement hook,
 * Kysely's query log on PostgreSQL), so no query goes uncounted.
 */
import { createTestApp, testDatabases, type TestApp, type TestUser } from '@cloakroom/server/testing';
import type { MeResponse } from '@cloakroom/shared';
import pino from 'pino';
import { dropUserRecords, userRecords, type UserRecords } from '../src/auth/user-records';
import type { UserRow, UsersRepository } from '../src/db/users';
import { connectRedis, createRedis, type Redis } from '../src/redis/client';
import { scratchDatabase } from './helpers/databases';

describe.each(testDatabases())('user records on $name', ({ name, databaseUrl }) => {
  let kit: TestApp;
  const queries: string[] = [];
  beforeAll(async () => {
    kit = await createTestApp({ databaseUrl, onQuery: (sql) => queries.push(sql) });
  });
  afterAll(() => kit.close());

  /** SQL statements run while `work` runs. */
  async function sqlDuring(work: () => Promise<unknown>): Promise<string[]> {
    const from = queries.length;
    await work();
    return queries.slice(from);
  }

  const me = async (agent: Awaited<ReturnType<TestApp['signedInAgent']>>['agent'], path = '/api/me') => (await agent.get(path).expect(200)).body as MeResponse;

  test('steady state: GET /api/me runs no SQL, on the fast path and through Express', async () => {
    const { agent } = await kit.signedInAgent();
    await me(agent); // the first request after sign-in may fill the record
    const served = kit.handler.stats.served;
    const passed = kit.handler.stats.passed;
    const run = await sqlDuring(async () => {
      for (let i = 0; i < 20; i++) {
        await me(agent);
        // A query string takes the same route through Express and its middleware.
        await me(agent, '/api/me?via=express');
      }
    });
    expect(kit.handler.stats.served - served).toBe(20);
    expect(kit.handler.stats.passed - passed).toBe(20);
    expect(run).toEqual([]);
  });

  test('losing the records costs one SQL read per user, never a wrong answer', async () => {
    const a = await kit.signedInAgent({ name: 'Ann' });
    const b = await kit.signedInAgent({ name: 'Bo' });
    await me(a.agent);
    await me(b.agent);
    expect(await dropUserRecords(kit.infra.redis, kit.services.keys)).toBeGreaterThanOrEqual(2);
    const first = await sqlDuring(async () => {
      expect((await me(a.agent)).user.name).toBe('Ann');
      expect((await me(b.agent)).user.name).toBe('Bo');
    });
    expect(first).toHaveLength(2);
    const then = await sqlDuring(async () => {
      expect((await me(a.agent)).user).toEqual(a.publicUser);
      expect((await me(b.agent)).user).toEqual(b.publicUser);
    });
    expect(then).toEqual([]);
  });

  test('a record of another format (an older version of the code) is read afresh, not half-read', async () => {
    const { agent, user, publicUser } = await kit.signedInAgent();
    await me(agent);
    const key = kit.services.keys.userRecord(user.id);
    await kit.infra.redis.hSet(key, 'data', JSON.stringify({ format: 'id,role', state: { id: user.id, role: 'admin' } }));
    expect((await me(agent)).user).toEqual(publicUser);
    expect(await kit.infra.redis.hGet(key, 'data')).toContain(user.email);
  });

  describe('races between a refill and a change (deterministic interleavings, real Redis and SQL)', () => {
    /** The app's users repository, with a step run right after each SQL read of a user:
     *  the moment a refilling reader has read the row and not yet written it back. */
    function pausingAfterRead(step: () => Promise<void>): UsersRepository {
      const users = kit.services.users;
      return {
        ...users,
        async findById(id: string) {
          const row = await users.findById(id);
          await step();
          return row;
        },
      };
    }

    /** Each change as its bare SQL write (the app makes it through `records.change`),
     *  and what of the user it changes. */
    const changes: Array<[string, (who: TestUser) => Promise<unknown>, (row: UserRow | undefined) => unknown]> = [
      ['a role change', (who) => kit.infra.db.updateTable('users').set({ role: 'admin' }).where('id', '=', who.user.id).execute(), (row) => row?.role],
      [
        'a password change',
        (who) => kit.services.users.changePassword(who.user.id, who.user.passwordHash, who.user.credentialVersion),
        (row) => row?.credentialVersion,
      ],
      ['a deletion', (who) => kit.infra.db.deleteFrom('users').where('id', '=', who.user.id).execute(), (row) => row === undefined],
    ];

    /** What the record says of the user, as `field` sees it (no record: read SQL). */
    async function recordSays(who: TestUser, field: (row: UserRow | undefined) => unknown): Promise<unknown> {
      const state = await kit.services.records.get(who.user.id);
      return field(state && { ...who.user, ...state });
    }

    test.each(changes)('%s committed between a reader’s SQL read and its refill: the refill is dropped', async (_what, write, field) => {
      for (let round = 0; round < 10; round++) {
        const who = await kit.createUser();
        let changed = false;
        const reader = userRecords(
          kit.infra.redis,
          kit.services.keys,
          pausingAfterRead(async () => {
            if (changed) return;
            changed = true;
            await kit.services.records.change(who.user.id, () => write(who));
          }),
        );
        // The reader answers with the row it read (its request began before the change):
        // what matters is what it leaves behind for the requests after it.
        expect(await reader.get(who.user.id)).toBeDefined();
        expect(changed).toBe(true);
        expect(await kit.infra.redis.hGet(kit.services.keys.userRecord(who.user.id), 'data')).toBeNull();
        expect(await recordSays(who, field)).toEqual(field(await kit.services.users.findById(who.user.id)));
        expect(await recordSays(who, field)).not.toEqual(field(who.user));
      }
    });

    test.each(changes)('%s under way while a reader reads SQL: the reader answers from SQL and leaves no record', async (_what, write, field) => {
      for (let round = 0; round < 10; round++) {
        const who = await kit.createUser();
        const key = kit.services.keys.userRecord(who.user.id);
        await kit.services.records.get(who.user.id); // a record to start from
        await kit.services.records.change(who.user.id, async () => {
          expect(await kit.services.records.get(who.user.id)).toBeDefined(); // the old row, from SQL
          expect(await kit.infra.redis.hGet(key, 'data')).toBeNull();
          await write(who);
          await kit.services.records.get(who.user.id);
          expect(await kit.infra.redis.hGet(key, 'data')).toBeNull();
        });
        expect(await recordSays(who, field)).toEqual(field(await kit.services.users.findById(who.user.id)));
        expect(await recordSays(who, field)).not.toEqual(field(who.user));
      }
    });

    test('many rounds of concurrent requests and role changes never leave a record that differs from SQL', async () => {
      const admin = await kit.signedInAgent({ role: 'admin' });
      const target = await kit.signedInAgent();
      const key = kit.services.keys.userRecord(target.user.id);
      const roles = ['admin', 'user'] as const;
      for (let round = 0; round < 40; round++) {
        if (round % 5 === 0) await kit.services.records.forget(target.user.id);
        const role = roles[round % 2]!;
        await Promise.all([
          target.agent.get('/api/me').expect(200),
          admin.agent.patch(`/api/admin/users/${target.user.id}`).send({ role }).expect(200),
          target.agent.get('/api/me').expect(200),
          kit.services.records.get(target.user.id),
        ]);
        const data = await kit.infra.redis.hGet(key, 'data');
        if (data) expect(data).toContain(`"role":"${role}"`);
        expect((await me(target.agent)).user.role).toBe(role);
      }
    });
  });

  describe('Redis failing in the middle of a change', () => {
    let redis: Redis;
    let records: UserRecords;
    beforeEach(async () => {
      redis = createRedis(kit.config.redis.topology, kit.config.redis.timeoutMs, pino({ level: 'silent' }));
      await connectRedis(redis, kit.config.redis);
      records = userRecords(redis, kit.services.keys, kit.services.users);
    });
    afterEach(() => (redis.isOpen ? redis.close() : undefined));

    test('before the SQL write: the change is refused and nothing is written', async () => {
      const { agent, user } = await kit.signedInAgent();
      await me(agent);
      redis.destroy();
      let wrote = false;
      await expect(
        records.change(user.id, async () => {
          wrote = true;
          await kit.infra.db.updateTable('users').set({ role: 'admin' }).where('id', '=', user.id).execute();
        }),
      ).rejects.toThrow();
      expect(wrote).toBe(false);
      expect((await kit.services.users.findById(user.id))?.role).toBe('user');
      expect((await me(agent)).user.role).toBe('user');
    });

    test('between the SQL write and lifting the mark: refused, and no stale record (reads go to SQL)', async () => {
      const { agent, user } = await kit.signedInAgent();
      await me(agent);
      const key = kit.services.keys.userRecord(user.id);
      await expect(
        records.change(user.id, async () => {
          await kit.infra.db.updateTable('users').set({ role: 'admin' }).where('id', '=', user.id).execute();
          redis.destroy();
        }),
      ).rejects.toThrow();
      // The mark stands: no data; every request reads SQL and answers with the new role.
      expect(await kit.infra.redis.hGet(key, 'data')).toBeNull();
      for (let i = 0; i < 3; i++) {
        const run = await sqlDuring(async () => expect((await me(agent)).user.role).toBe('admin'));
        expect(run).toHaveLength(1);
      }
      expect(await kit.infra.redis.hGet(key, 'data')).toBeNull();
      expect(await kit.infra.redis.pTTL(key)).toBeGreaterThan(0);
      // Once the mark is gone (it expires by itself; an operator can drop it), the record
      // is refilled with what SQL holds.
      await kit.services.records.forget(user.id);
      expect((await me(agent)).user.role).toBe('admin');
      expect(await kit.infra.redis.hGet(key, 'data')).toContain('"role":"admin"');
    });
  });

  describe('seen on the very next request, on this instance and another one on the same Redis', () => {
    let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
    let one: TestApp;
    let two: TestApp;
    beforeAll(async () => {
      scratch = await scratchDatabase(name, databaseUrl);
      one = await createTestApp({ databaseUrl: scratch.url, isolateDatabase: false });
      two = await createTestApp({ shareWith: one });
    });
    afterAll(async () => {
      await two.close();
      await one.close();
      await scratch.drop();
    });

    /** The same session, as seen through each instance. */
    async function bothSee(cookie: string): Promise<Array<number | MeResponse>> {
      return Promise.all(
        [one, two].map(async (app) => {
          const res = await app.agent().get('/api/me').set('Cookie', cookie);
          return res.status === 200 ? (res.body as MeResponse) : res.status;
        }),
      );
    }

    async function signedIn(role: 'user' | 'admin' = 'user') {
      const who = await one.createUser({ role });
      return { ...who, ...(await signedInAs(who)) };
    }

    test('a role change made on one instance', async () => {
      const admin = await signedIn('admin');
      const target = await signedIn();
      expect((await bothSee(target.cookie)).map((r) => (typeof r === 'number' ? r : r.user.role))).toEqual(['user', 'user']);
      await one.agent().patch(`/api/admin/users/${target.user.id}`).set('Cookie', admin.cookie).send({ role: 'admin' }).expect(200);
      expect((await bothSee(target.cookie)).map((r) => (typeof r === 'number' ? r : r.user.role))).toEqual(['admin', 'admin']);
    });

    test('a password change made on one instance ends the other sessions on both', async () => {
      const who = await one.createUser();
      const a = await signedInAs(who);
      const b = await signedInAs(who);
      expect((await bothSee(b.cookie)).every((r) => typeof r !== 'number')).toBe(true);
      await two
        .agent()
        .post('/api/auth/password')
        .set('Cookie', a.cookie)
        .send({ currentPassword: who.password, newPassword: 'a brand new passphrase' })
        .expect(200);
      expect(await bothSee(b.cookie)).toEqual([401, 401]);
    });

    test('a deletion made through one instance', async () => {
      const who = await signedIn();
      expect((await bothSee(who.cookie)).every((r) => typeof r !== 'number')).toBe(true);
      await two.services.records.change(who.user.id, () => two.infra.db.deleteFrom('users').where('id', '=', who.user.id).execute());
      expect(await bothSee(who.cookie)).toEqual([401, 401]);
    });

    async function signedInAs(who: TestUser) {
      const res = await one.agent().post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200);
      const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      return { cookie: setCookie[0]!.split(';')[0]! };
    }
  });
});
