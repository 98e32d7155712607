/**
 * Redis alive but not answering: the process paused (SIGSTOP), or busy in a long command
 * (DEBUG SLEEP). The connection stays open, so nothing errors by itself; node-redis's own
 * command timeout stops counting once a command is written. Requests must still end
 * quickly with 503 (bounded by REDIS_TIMEOUT_MS), must not pile up behind the silent
 * connection, public routes must keep answering, and service must resume by itself.
 */
import { hammer, request, within, type Sample } from './helpers/load';
import { faultStack, watchForCrashes, type FaultStack } from './helpers/stack';
import { signIn, sleep } from '@cloakroom/server/testing';

const TIMEOUT_MS = 500;
/** The bound a request may take while Redis is silent: the timeout plus the watchdog's
 *  tick and generous scheduling slack on a busy CI machine. */
const BOUND_MS = TIMEOUT_MS + 600;

let stack: FaultStack;
let cookie: string;
const crashes = watchForCrashes();

beforeAll(async () => {
  stack = await faultStack({ env: { REDIS_TIMEOUT_MS: String(TIMEOUT_MS) } });
  const { email, password } = await stack.kit.createUser();
  cookie = await signIn(stack.base, email, password);
});

afterAll(async () => {
  await stack?.close();
  crashes.stop();
});

const meOk = async () => (await request(stack.base, '/api/me', { headers: { cookie } })).status === 200;

/** Runs load while `silence` keeps Redis quiet for `silentMs`, then checks the answers. */
async function underSilence(silence: () => Promise<void> | void, silentMs: number, end: () => void) {
  expect(await meOk()).toBe(true);
  const me = hammer(stack.base, '/api/me', 8, { headers: { cookie } });
  const pub = hammer(stack.base, '/healthz', 2);
  await sleep(200);
  const from = me.now();
  await silence();
  await sleep(silentMs / 2);
  const ready = await request(stack.base, '/readyz');
  await sleep(silentMs / 2);
  const to = me.now();
  end();
  const recoveredIn = await within(2000, '/api/me answers 200 again', meOk);
  const [meSamples, pubSamples] = await Promise.all([me.stop(), pub.stop()]);

  expect(ready).toMatchObject({ status: 503, code: 'service_unavailable' });
  expect(ready.ms).toBeLessThan(BOUND_MS);
  const silent = meSamples.filter((s: Sample) => s.at > from + 20 && s.at + s.ms < to);
  // Answered, and answered quickly: with a pile-up there would be 8 requests in all,
  // each waiting for the whole silence.
  expect(silent.length).toBeGreaterThan(50);
  for (const s of silent) expect(s).toMatchObject({ status: 503, code: 'service_unavailable' });
  for (const s of meSamples) expect(s.ms).toBeLessThan(BOUND_MS);
  expect(new Set(meSamples.map((s) => s.status))).toEqual(new Set([200, 503]));
  expect(pubSamples.every((s) => s.status === 200)).toBe(true);
  expect(recoveredIn).toBeLessThan(2000);
  expect(crashes.errors).toEqual([]);
}

test('a paused Redis (SIGSTOP): bounded 503s instead of a pile-up, then recovery', async () => {
  await underSilence(
    () => stack.redis.pause(),
    2500,
    () => stack.redis.resume(),
  );
});

test('a Redis busy in one long command (DEBUG SLEEP): bounded 503s, then recovery', async () => {
  await underSilence(
    () => stack.redis.sleep(2.5),
    2000,
    () => undefined,
  );
});
