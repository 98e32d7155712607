import { randomBytes } from 'node:crypto';

/** A fresh CSP nonce for each page response. Next reads it back from the request's
 *  Content-Security-Policy header and puts it on its own scripts. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Scripts run only with this response's nonce ('strict-dynamic' lets those load the
 *  app's chunks); nothing may frame the site, plugins and <base> are out. React's
 *  development build needs eval, production never does. */
export function contentSecurityPolicy(nonce: string, opts: { development: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.development ? " 'unsafe-eval'" : ''}`,
    // Next's development overlay injects styles without the nonce; with a nonce present
    // browsers ignore 'unsafe-inline', so development gets 'unsafe-inline' alone.
    opts.development ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}
