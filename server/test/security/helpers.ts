import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { TestApp } from '@cloakroom/server/testing';
import { sessionKeyOf } from '../../src/auth/session/session-id';
import { sessionIdIn, setCookies, type SetCookie } from '../helpers/cookies';
import { dumpPrefix } from '../helpers/redis';

export { setCookies };

/** A hostile page's origin. */
export const EVIL = 'https://evil.test';

/** The session cookie a response sets (not a clearing one), or undefined. */
export function sessionSetCookie(kit: TestApp, res: Response): SetCookie | undefined {
  return setCookies(res).find((c) => c.name === kit.services.cookieName && c.value !== '');
}

/** The raw session ID inside a response's session cookie (what an attacker would steal). */
export function sessionIdOf(kit: TestApp, res: Response): string {
  const cookie = sessionSetCookie(kit, res);
  if (!cookie) throw new Error(`no session cookie in ${res.status} response`);
  return sessionIdIn(cookie, kit.config.session.secrets);
}

/** A Cookie header carrying exactly this session. */
export function cookieHeader(kit: TestApp, res: Response): string {
  const cookie = sessionSetCookie(kit, res);
  if (!cookie) throw new Error('no session cookie');
  return cookie.pair;
}

export function sessionKey(kit: TestApp, sid: string): string {
  return sessionKeyOf(kit.services.keys, sid)!;
}

/** Everything this app has in Redis (key → contents), for "nothing changed". Without
 *  `counters`, rate-limit and lockout counters are left out: counting a refused attempt
 *  is the one change such a request is meant to make. Users' records are left out
 *  always: they are a copy of the users table (compared in `dbSnapshot`), which any
 *  request may fill. */
export async function redisSnapshot(kit: TestApp, counters = false): Promise<Record<string, string>> {
  const { keys } = kit.services;
  const isCounter = (key: string) => key.startsWith(keys.rateLimitPrefix) || key.startsWith(keys.lockoutPrefix);
  const isUserRecord = (key: string) => key.startsWith(keys.userRecordPrefix);
  const entries = (await dumpPrefix(kit)).filter((e) => !isUserRecord(e.key) && (counters || !isCounter(e.key))).map((e) => [e.key, e.content] as const);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
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

export { signIn, type SignedIn } from '../helpers/sign-in';
