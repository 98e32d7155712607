import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { API_ROUTES } from '@cloakroom/shared';
import type { TestApp, TestUser } from '@cloakroom/server/testing';
import { sessionHandle } from '../../src/auth/session/handle';
import { sessionKeyOf } from '../../src/auth/session/session-id';
import { sessionIdIn, setCookie, type SetCookie } from './cookies';

/** Everything a test may need to know about the session a sign-in got. */
export interface SignedIn {
  /** A supertest agent holding the session cookie. */
  agent: TestAgent;
  /** The sign-in's answer. */
  res: Response;
  /** `name=value` of the session cookie, for replaying it outside the agent. */
  cookie: string;
  /** The session cookie as it was set (attributes too). */
  setCookie: SetCookie;
  /** The raw session ID (never sent anywhere by the server but in Set-Cookie). */
  sid: string;
  /** Its public handle, and the Redis key of its record. */
  handle: string;
  key: string;
}

/** Signs in through `POST /api/auth/login` with an agent of its own, as `who` (a user
 *  from `kit.createUser`) or as a new user; `headers` go with the sign-in request. The
 *  one sign-in of the supertest suites (over a real port: `signIn` of the kit). */
export async function signIn<Who extends { email: string; password: string } = TestUser>(
  kit: TestApp,
  who?: Who,
  headers: Record<string, string> = {},
): Promise<Who & SignedIn> {
  const user = who ?? ((await kit.createUser()) as unknown as Who);
  const agent = kit.agent();
  const res = await agent.post(API_ROUTES.login.path).set(headers).send({ email: user.email, password: user.password });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = setCookie(res, kit.services.cookieName);
  const sid = sessionIdIn(cookie, kit.config.session.secrets);
  const handle = sessionHandle(sid);
  return { ...user, agent, res, cookie: cookie.pair, setCookie: cookie, sid, handle, key: sessionKeyOf(kit.services.keys, sid)! };
}
