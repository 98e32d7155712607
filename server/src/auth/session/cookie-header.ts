import signature from 'cookie-signature';

/** Every value the Cookie header gives for `name`, decoded as express-session's parser
 *  would decode it. */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      values.push(decodeURIComponent(value));
    } catch {
      values.push(value);
    }
  }
  return values;
}

/** The session ID inside a signed cookie value (`s:<id>.<hmac>`), checked against each
 *  secret in turn (the first signs, all verify, so secrets rotate without logouts). */
export function unsignSessionId(value: string, secrets: readonly string[]): string | null {
  if (!value.startsWith('s:')) return null;
  for (const secret of secrets) {
    const sid = signature.unsign(value.slice(2), secret);
    if (sid !== false) return sid;
  }
  return null;
}

/** Two session cookies of the same name mean someone planted one (cookie tossing from
 *  a sibling host, or a confused client). Which one the parser would pick is an
 *  accident of ordering, so neither is trusted: the request counts as signed out. */
export function sessionIdFromHeader(header: string | undefined, name: string, secrets: readonly string[]): string | null {
  const values = cookieValues(header, name);
  return values.length === 1 ? unsignSessionId(values[0]!, secrets) : null;
}

/** Every validly signed session ID the Cookie header names, however many cookies of the
 *  name it carries: what a sign-out or a new sign-in ends. */
export function signedSessionIds(header: string | undefined, name: string, secrets: readonly string[]): string[] {
  const ids = cookieValues(header, name).map((value) => unsignSessionId(value, secrets));
  return [...new Set(ids.filter((id): id is string => id !== null))];
}

/** The Cookie header without any cookie of this name (used when duplicates arrive). */
export function withoutCookie(header: string, name: string): string {
  return header
    .split(';')
    .filter((part) => part.slice(0, Math.max(part.indexOf('='), 0)).trim() !== name)
    .join(';');
}
