import type { Response } from 'supertest';
import { unsignSessionId } from '../../src/auth/session/cookie-header';

export interface SetCookie {
  name: string;
  /** Decoded value. */
  value: string;
  /** The raw `name=value` pair, ready for a Cookie header. */
  pair: string;
  /** Attribute names lower-cased; flags map to true. */
  attributes: Record<string, string | true>;
}

function parseSetCookie(header: string): SetCookie {
  const [pair, ...rest] = header.split(';').map((s) => s.trim());
  const eq = pair!.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const i = part.indexOf('=');
    if (i < 0) attributes[part.toLowerCase()] = true;
    else attributes[part.slice(0, i).toLowerCase()] = part.slice(i + 1);
  }
  return { name: pair!.slice(0, eq), value: decodeURIComponent(pair!.slice(eq + 1)), pair: pair!, attributes };
}

/** Every Set-Cookie of a response, parsed. */
export function setCookies(res: Response): SetCookie[] {
  const raw = res.headers['set-cookie'] as unknown as string[] | string | undefined;
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).map(parseSetCookie);
}

/** The one Set-Cookie of this name (fails the test if there are none or several). */
export function setCookie(res: Response, name: string): SetCookie {
  const found = setCookies(res).filter((c) => c.name === name);
  if (found.length !== 1) throw new Error(`expected one Set-Cookie for ${name}, got ${found.length}: ${JSON.stringify(res.headers['set-cookie'])}`);
  return found[0]!;
}

/** The session ID inside a signed session cookie (what an attacker would need). */
export function sessionIdIn(cookie: SetCookie, secrets: readonly string[]): string {
  const sid = unsignSessionId(cookie.value, secrets);
  if (!sid) throw new Error(`cookie ${cookie.name} does not carry a validly signed session ID`);
  return sid;
}

/** The cookie is cleared: same name, empty, expired, same Path/HttpOnly/SameSite/Secure. */
export function expectCleared(cleared: SetCookie, set: Pick<SetCookie, 'attributes'>): void {
  expect(cleared.value).toBe('');
  expect(new Date(cleared.attributes.expires as string).getTime()).toBeLessThanOrEqual(Date.now() - 86_400_000);
  for (const attribute of ['path', 'httponly', 'samesite', 'secure', 'domain']) expect(cleared.attributes[attribute]).toEqual(set.attributes[attribute]);
}
