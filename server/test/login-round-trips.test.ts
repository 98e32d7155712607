/** What one successful sign-in costs Redis, as Redis itself sees it (MONITOR): one
 *  session write, and at most 5 commands from the app (6 when a session the browser
 *  already had ends). The sign-in counters are two scripts per step, the account's and
 *  the address's, because on Redis Cluster the two live in different hash slots
 *  (auth/attempts.ts). A sign-out and the end of one's own session delete once. */
import { SESSION_COOKIE_PLAIN } from '@cloakroom/shared';
import { createTestApp, sleep, type TestApp } from '@cloakroom/server/testing';
import { startRedisServer, type RedisServer } from './faults/helpers/redis-server';
import { setCookie } from './helpers/cookies';
import { routingTag } from '../src/redis/keys';
import { monitorRedis } from './helpers/monitor';

let redis: RedisServer;
let kit: TestApp;
let monitor: Awaited<ReturnType<typeof monitorRedis>>;
/** The app's own connection, as MONITOR names it (host:port). */
let appClient: string;

beforeAll(async () => {
  redis = await startRedisServer();
  kit = await createTestApp({ env: { REDIS_URL: redis.url } });
  // The mail outbox polls Redis on a timer over the same connection; a sign-in sends no
  // mail, so its polls would only land at random inside a measured window.
  await kit.services.outbox.stop();
  const info = await kit.infra.redis.sendCommand<string>(['CLIENT', 'INFO']);
  appClient = /\baddr=(\S+)/.exec(info)![1]!;
  monitor = await monitorRedis(redis.port);
  // Scripts are loaded on first use (NOSCRIPT, then EVAL): not what a sign-in costs.
  const warm = await kit.signedInAgent();
  await warm.agent.post('/api/auth/login').send({ email: warm.email, password: warm.password }).expect(200);
  const { id } = (await warm.agent.get('/api/me').expect(200)).body.session as { id: string };
  await warm.agent.delete(`/api/auth/sessions/${id}`).expect(204);
  await warm.agent.post('/api/auth/login').send({ email: warm.email, password: warm.password }).expect(200);
  await warm.agent.post('/api/auth/logout').expect(204);
});

afterAll(async () => {
  monitor?.close();
  await kit?.close();
  await redis?.stop();
});

let markers = 0;
/** Runs `work`, then returns what the app sent Redis meanwhile (including anything sent
 *  once the answer was out), and how many session records scripts wrote. */
async function costOf(work: () => Promise<unknown>) {
  // MONITOR's stream lags behind Redis: what the test did just before (creating the user,
  // reading /api/me) can still be on its way. Wait for a marker sent after it first.
  const before = `cloakroom-marker-${++markers}`;
  await monitor.settle(() => kit.infra.redis.sendCommand(['ECHO', before]), before);
  monitor.reset();
  await work();
  await sleep(50);
  const name = `cloakroom-marker-${++markers}`;
  await monitor.settle(() => kit.infra.redis.sendCommand(['ECHO', name]), name);
  const sent = monitor.from(appClient).filter((c) => !c.args.includes(name));
  const sessionWrites = monitor.byScripts().filter((c) => c.args[0]?.toUpperCase() === 'SET' && c.args[1]?.startsWith(kit.services.keys.sessionPrefix));
  return { sent, names: sent.map((c) => c.args[0]!.toUpperCase()), sessionWrites: sessionWrites.length };
}

/** The commands among `sent` that could delete this session's record. */
const deleting = (sent: Array<{ args: string[] }>, key: string) => sent.filter((c) => /^(EVALSHA|EVAL|DEL|UNLINK)$/i.test(c.args[0]!) && c.args.includes(key));

async function sessionKeyOf(agent: TestApp['agent'] extends () => infer A ? A : never): Promise<string> {
  const { session, user } = (await agent.get('/api/me').expect(200)).body as { session: { id: string }; user: { id: string } };
  return kit.services.keys.session(routingTag(user.id), session.id);
}

test('a successful sign-in from a fresh browser: one session write, at most 5 Redis commands', async () => {
  const who = await kit.createUser();
  const cost = await costOf(() => kit.agent().post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200));
  expect(cost.sessionWrites).toBe(1);
  expect(cost.names.length).toBeLessThanOrEqual(5);
});

// One more than from a fresh browser: the old session's delete.
test('a successful sign-in from a browser that had a session: the old one ends, one write, at most 6 commands', async () => {
  const who = await kit.signedInAgent();
  const old = await sessionKeyOf(who.agent);
  const cost = await costOf(() => who.agent.post('/api/auth/login').send({ email: who.email, password: who.password }).expect(200));
  expect(cost.sessionWrites).toBe(1);
  expect(deleting(cost.sent, old)).toHaveLength(1);
  expect(cost.names.length).toBeLessThanOrEqual(6);
});

test('sign-out deletes the session once', async () => {
  const who = await kit.signedInAgent();
  const key = await sessionKeyOf(who.agent);
  const cost = await costOf(() => who.agent.post('/api/auth/logout').expect(204));
  expect(deleting(cost.sent, key)).toHaveLength(1);
  expect(cost.sessionWrites).toBe(0);
  expect(await kit.infra.redis.exists(key)).toBe(0);
});

test("ending one's own session (DELETE /api/auth/sessions/:id) deletes it once", async () => {
  const who = await kit.signedInAgent();
  const key = await sessionKeyOf(who.agent);
  const id = key.slice(key.lastIndexOf(':') + 1);
  let cleared: string | undefined;
  const cost = await costOf(async () => {
    cleared = setCookie(await who.agent.delete(`/api/auth/sessions/${id}`).expect(204), SESSION_COOKIE_PLAIN).value;
  });
  expect(deleting(cost.sent, key)).toHaveLength(1);
  expect(cost.sessionWrites).toBe(0);
  expect(cleared).toBe('');
  await who.agent.get('/api/me').expect(401);
});
