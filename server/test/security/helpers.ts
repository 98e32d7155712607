import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { TestApp } from '@cloakroom/server/testing';
import { sessionHandle } from '../../src/auth/session/handle';
import { unsignSessionId } from '../../src/auth/session/cookie-header';

/** A hostile page's origin, and look-alikes of an allowed one. */
export const EVIL = 'https://evil.test';

export interface SetCookie {
  name: string;
  /** The value exactly as sent (URL-encoded `s:<id>.<signature>`). */
  raw: string;
  /** Decoded value. */
  value: string;
  attributes: Record<string, string | true>;
  /** The whole header line. */
  line: string;
}

export function setCookies(res: Response): SetCookie[] {
  const header = res.headers['set-cookie'] as unknown as string[] | string | undefined;
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return lines.map((line) => {
    const [pair, ...attrs] = line.split(';');
    const eq = pair!.indexOf('=');
    const raw = pair!.slice(eq + 1).trim();
    const attributes: Record<string, string | true> = {};
    for (const a of attrs) {
      const [k, ...v] = a.trim().split('=');
      attributes[k!.toLowerCase()] = v.length ? v.join('=') : true;
    }
    return { name: pair!.slice(0, eq).trim(), raw, value: decodeURIComponent(raw), attributes, line };
  });
}

/** The session cookie a response sets (not a clearing one), or undefined. */
export function sessionSetCookie(kit: TestApp, res: Response): SetCookie | undefined {
  return setCookies(res).find((c) => c.name === kit.services.cookie.name && c.value !== '');
}

/** The raw session ID inside a response's session cookie (what an attacker would steal). */
export function sessionIdOf(kit: TestApp, res: Response): string {
  const cookie = sessionSetCookie(kit, res);
  if (!cookie) throw new Error(`no session cookie in ${res.status} response`);
  const sid = unsignSessionId(cookie.value, kit.config.session.secrets);
  if (!sid) throw new Error('session cookie does not verify');
  return sid;
}

/** A Cookie header carrying exactly this session. */
export function cookieHeader(kit: TestApp, res: Response): string {
  const cookie = sessionSetCookie(kit, res);
  if (!cookie) throw new Error('no session cookie');
  return `${cookie.name}=${cookie.raw}`;
}

export function sessionKey(kit: TestApp, sid: string): string {
  return kit.services.keys.session(sessionHandle(sid));
}

/** Everything this app has in Redis (key → value or members), for "nothing changed".
 *  Without `counters`, rate-limit and lockout counters are left out: counting a refused
 *  attempt is the one change such a request is meant to make. */
export async function redisSnapshot(kit: TestApp, counters = false): Promise<Record<string, unknown>> {
  const { redis } = kit.infra;
  const out: Record<string, unknown> = {};
  const { keys } = kit.services;
  const isCounter = (key: string) => key.startsWith(keys.rateLimitPrefix) || key.startsWith(keys.lockout(''));
  for await (const keys of redis.scanIterator({ MATCH: `${kit.prefix}*`, COUNT: 500 })) {
    for (const key of keys) {
      if (!counters && isCounter(key)) continue;
      const type = await redis.type(key);
      out[key] = type === 'string' ? await redis.get(key) : type === 'zset' ? await redis.zRange(key, 0, -1) : type === 'hash' ? await redis.hGetAll(key) : type;
    }
  }
  return out;
}

/** The rows that matter for "nothing changed": users (with hashes) and audit events. */
export async function dbSnapshot(kit: TestApp): Promise<unknown> {
  const { db } = kit.infra;
  const users = await db.selectFrom('users').selectAll().orderBy('id').execute();
  const events = await db.selectFrom('securityEvents').selectAll().orderBy('id').execute();
  return { users, events };
}

export async function snapshot(kit: TestApp, options: { counters?: boolean } = {}): Promise<unknown> {
  await kit.services.events.settled();
  return { redis: await redisSnapshot(kit, options.counters), db: await dbSnapshot(kit) };
}

/** The signed-in user's event types, newest first. */
export async function eventTypes(agent: TestAgent): Promise<string[]> {
  const res = await agent.get('/api/auth/events').expect(200);
  return (res.body.events as Array<{ type: string }>).map((e) => e.type);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SignedIn {
  agent: TestAgent;
  /** `name=value` of the session cookie, for replaying it outside the agent. */
  cookie: string;
  /** The raw session ID (never sent anywhere by the server but in Set-Cookie). */
  sid: string;
  res: Response;
}

/** Signs in through POST /api/auth/login with an agent of its own. */
export async function logInAs(kit: TestApp, who: { email: string; password: string }, headers: Record<string, string> = {}): Promise<SignedIn> {
  const agent = kit.agent();
  const res = await agent.post('/api/auth/login').set(headers).send({ email: who.email, password: who.password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, res, cookie: cookieHeader(kit, res), sid: sessionIdOf(kit, res) };
}
