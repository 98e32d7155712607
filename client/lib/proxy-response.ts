import { IDENTITY_HEADER_PREFIX } from '@cloakroom/shared';
import { NextResponse, type NextRequest } from 'next/server';
import type { Verdict } from './gate';
import { signIdentity } from './identity-token';
import { contentSecurityPolicy, newNonce } from './security-headers';
import { expiredSessionCookie } from './session-cookie';
import { forbiddenPage, serviceUnavailablePage } from './status-pages';
import { HSTS_HEADER, STATIC_SECURITY_HEADERS } from './static-headers';

/** Headers a client must never be able to hand to a page: our identity headers (only the
 *  proxy sets them, signed) and Next's internal x-middleware-* signals. */
export function isSpoofable(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith(IDENTITY_HEADER_PREFIX) || n.startsWith('x-middleware-');
}

function htmlResponse(html: string, status: number, extra: Record<string, string> = {}): NextResponse {
  return new NextResponse(html, { status, headers: { 'content-type': 'text/html; charset=utf-8', ...extra } });
}

/** Turns the gate's verdict into the response Next acts on. */
export function respond(request: NextRequest, verdict: Verdict, key: Buffer, development: boolean): NextResponse {
  const https = request.nextUrl.protocol === 'https:';
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce, { development, https });

  let res: NextResponse;
  switch (verdict.kind) {
    case 'pass': {
      const headers = new Headers();
      request.headers.forEach((value, name) => {
        if (!isSpoofable(name)) headers.append(name, value);
      });
      headers.set('content-security-policy', csp);
      if (verdict.user) {
        for (const [name, value] of Object.entries(signIdentity(key, verdict.user, request.nextUrl.pathname))) headers.set(name, value);
      }
      res = NextResponse.next({ request: { headers } });
      break;
    }
    case 'redirect':
      res = NextResponse.redirect(new URL(verdict.location, request.url), 307);
      break;
    case 'forbidden':
      res = htmlResponse(forbiddenPage(nonce), 403);
      break;
    case 'unavailable':
      res = htmlResponse(serviceUnavailablePage(nonce), 503, { 'retry-after': '5' });
      break;
  }
  if (verdict.kind === 'pass' || verdict.kind === 'redirect') {
    for (const name of verdict.clearCookies) res.cookies.set(expiredSessionCookie(name));
  }
  res.headers.set('content-security-policy', csp);
  // Nothing the proxy decided about a signed-in visitor may be stored anywhere.
  if (verdict.kind !== 'pass') res.headers.set('cache-control', 'no-store');
  for (const { key: name, value } of STATIC_SECURITY_HEADERS) res.headers.set(name, value);
  if (https) res.headers.set(HSTS_HEADER.key, HSTS_HEADER.value);
  return res;
}
