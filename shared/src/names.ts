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

/** The device cookie (OWASP's "device cookie" against targeted lockout): a signed token
 *  saying this browser has signed in to an account before, so that the per-account
 *  ceiling, which stops unknown browsers, does not stop it. Named like the session
 *  cookie: `__Host-` whenever Secure. */
export const DEVICE_COOKIE_SECURE = '__Host-device';
export const DEVICE_COOKIE_PLAIN = 'device';

export function deviceCookieName(secure: boolean): string {
  return secure ? DEVICE_COOKIE_SECURE : DEVICE_COOKIE_PLAIN;
}

/** The passkey sign-in cookie: binds a sign-in challenge to the browser that asked for it
 *  (a random value; Redis keeps the challenge under its hash) until the answer comes back,
 *  5 minutes at most. Not a session and worth nothing without the passkey. */
export const PASSKEY_CHALLENGE_COOKIE_SECURE = '__Host-passkey';
export const PASSKEY_CHALLENGE_COOKIE_PLAIN = 'passkey';

export function passkeyChallengeCookieName(secure: boolean): string {
  return secure ? PASSKEY_CHALLENGE_COOKIE_SECURE : PASSKEY_CHALLENGE_COOKIE_PLAIN;
}

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
