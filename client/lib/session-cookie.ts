import { SESSION_COOKIE_NAMES, SESSION_COOKIE_SECURE } from '@cloakroom/shared';

const NAMES: ReadonlySet<string> = new Set(SESSION_COOKIE_NAMES);

/** The session cookie pairs of a Cookie header, exactly as sent (duplicates included:
 *  the API treats a tossed second cookie as signed out, so it must see both). Nothing
 *  else the browser holds goes to the API. Returns '' when there is none. */
export function sessionCookieHeader(cookieHeader: string | null | undefined): string {
  if (!cookieHeader) return '';
  return cookieHeader
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 && NAMES.has(pair.slice(0, eq).trim());
    })
    .join('; ');
}

/** Names of the session cookies present, each once. */
export function sessionCookieNames(sessionCookies: string): string[] {
  return [
    ...new Set(
      sessionCookies
        .split('; ')
        .filter(Boolean)
        .map((pair) => pair.slice(0, pair.indexOf('=')).trim()),
    ),
  ];
}

/** Attributes that make a browser accept the deletion: a `__Host-` cookie can only be
 *  overwritten by a Secure, Path=/ cookie without Domain. */
export function expiredSessionCookie(name: string) {
  return { name, value: '', path: '/', httpOnly: true, sameSite: 'lax' as const, secure: name === SESSION_COOKIE_SECURE, maxAge: 0 };
}
