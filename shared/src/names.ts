/** Cookie and header names, in one place for server, client and tests. */

/** `__Host-` makes the browser refuse the cookie unless it is Secure, host-only and
 *  Path=/, so a sibling subdomain cannot toss a session cookie at us. The prefix is
 *  only legal on Secure cookies, hence the plain name for local HTTP. */
export const SESSION_COOKIE_SECURE = '__Host-sid';
export const SESSION_COOKIE_PLAIN = 'sid';

export function sessionCookieName(secure: boolean): string {
  return secure ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN;
}

/** Both names, for code that must find (or forget) the cookie whichever mode set it. */
export const SESSION_COOKIE_NAMES = [SESSION_COOKIE_SECURE, SESSION_COOKIE_PLAIN] as const;

/** Identity headers the Next proxy passes to pages. Every incoming header starting with
 *  IDENTITY_HEADER_PREFIX is deleted before the proxy sets its own signed ones. */
export const IDENTITY_HEADER_PREFIX = 'x-cloakroom-';
export const IDENTITY_HEADERS = {
  user: 'x-cloakroom-user',
  signature: 'x-cloakroom-signature',
} as const;

export const HEADERS = {
  retryAfter: 'Retry-After',
  requestId: 'X-Request-Id',
  /** Fetch Metadata: which site made the request (CSRF defence in depth). */
  secFetchSite: 'Sec-Fetch-Site',
  /** Sent on logout so the browser drops what it kept for the signed-in user. */
  clearSiteData: 'Clear-Site-Data',
} as const;
