/** The per-user session index (a sorted set of handles scored by end time): it lists a
 *  user's sessions without scanning the keyspace, and stays clean as sessions end by
 *  logout, by expiry, or by disappearing. */
import { SESSION_COOKIE_PLAIN } from '@cloakroom/shared';
import { createTestApp, sleep, type TestApp, type TestUser } from '@cloakroom/server/testing';
import type TestAgent from 'supertest/lib/agent';
import { sessionHandle } from '../src/auth/session/handle';
import { routingTag } from '../src/redis/keys';
import { sessionIdIn, setCookie } from './helpers/cookies';

jest.setTimeout(20_000);

async function sessionOf(kit: TestApp, who: TestUser): Promise<{ agent: TestAgent; handle: string }> {
  const agent = kit.agent();
  const res = await agent.post('/api/auth/login').set('User-Agent', 'index-test').send({ email: who.email, password: who.password }).expect(200);
  return { agent, handle: sessionHandle(sessionIdIn(setCookie(res, SESSION_COOKIE_PLAIN), kit.config.session.secrets)) };
}

describe('with default limits', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp();
  });
  afterAll(() => kit.close());

  const indexOf = (userId: string) => kit.infra.redis.zRangeWithScores(kit.services.keys.userSessions(userId), 0, -1);

  test("lists exactly the user's sessions, scored by when each ends; the index lives as long as the last", async () => {
    const ann = await kit.createUser();
    const bob = await kit.createUser();
    const mine = [await sessionOf(kit, ann), await sessionOf(kit, ann), await sessionOf(kit, ann)];
    await sessionOf(kit, bob);

    const listed = await kit.services.sessions.list(ann.user);
    expect(listed.map((s) => s.handle).sort()).toEqual(mine.map((s) => s.handle).sort());
    expect(listed[0]!.meta.userAgent).toBe('index-test');

    const index = await indexOf(ann.user.id);
    expect(index.map((e) => e.value).sort()).toEqual(mine.map((s) => s.handle).sort());
    for (const entry of index) {
      const s = listed.find((l) => l.handle === entry.value)!;
      expect(entry.score).toBe(Math.min(s.idleExpiresAt, s.expiresAt));
    }
    const last = Math.max(...index.map((e) => e.score));
    const ttl = await kit.infra.redis.pTTL(kit.services.keys.userSessions(ann.user.id));
    expect(Math.abs(Date.now() + ttl - last)).toBeLessThan(2_000);
  });

  test('logout removes its entry and leaves the others', async () => {
    const ann = await kit.createUser();
    const a = await sessionOf(kit, ann);
    const b = await sessionOf(kit, ann);
    await a.agent.post('/api/auth/logout').expect(204);
    expect((await indexOf(ann.user.id)).map((e) => e.value)).toEqual([b.handle]);
    expect((await kit.services.sessions.list(ann.user)).map((s) => s.handle)).toEqual([b.handle]);
  });

  test('an entry whose record has vanished is pruned when the index is read', async () => {
    const ann = await kit.createUser();
    const a = await sessionOf(kit, ann);
    const b = await sessionOf(kit, ann);
    await kit.infra.redis.del(kit.services.keys.session(routingTag(ann.user.id), a.handle)); // evicted, or deleted by hand
    expect((await kit.services.sessions.list(ann.user)).map((s) => s.handle)).toEqual([b.handle]);
    expect(await kit.infra.redis.zScore(kit.services.keys.userSessions(ann.user.id), a.handle)).toBeNull();
  });

  test('the user sees only their own sessions in the index, however handles are guessed', async () => {
    const ann = await kit.createUser();
    const bob = await kit.createUser();
    const bobs = await sessionOf(kit, bob);
    await sessionOf(kit, ann);
    expect(await kit.services.sessions.revoke(ann.user.id, bobs.handle, { client: { ip: null, userAgent: null }, current: false })).toBe(false);
    await bobs.agent.get('/api/me').expect(200);
  });
});

test('sessions that expire leave the index, and an index with no live session expires too', async () => {
  const kit = await createTestApp({ env: { SESSION_IDLE_TIMEOUT: '1', SESSION_ABSOLUTE_TIMEOUT: '3', SESSION_TOUCH_INTERVAL: '0.1' } });
  try {
    const ann = await kit.createUser();
    const old = await sessionOf(kit, ann);
    await sleep(600);
    const young = await sessionOf(kit, ann);
    await sleep(600); // `old` has now idled out
    // A write for any session of the user prunes the ended ones from the index.
    await young.agent.get('/api/me').expect(200);
    const index = kit.services.keys.userSessions(ann.user.id);
    expect(await kit.infra.redis.zRange(index, 0, -1)).toEqual([young.handle]);
    expect((await kit.services.sessions.list(ann.user)).map((s) => s.handle)).toEqual([young.handle]);
    expect(old.handle).not.toBe(young.handle);

    await sleep(1_200); // everything has idled out
    expect(await kit.services.sessions.list(ann.user)).toEqual([]);
    expect(await kit.infra.redis.exists(index)).toBe(0);
  } finally {
    await kit.close();
  }
});
