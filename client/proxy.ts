import type { NextRequest } from 'next/server';
import { benchmarkMe } from './lib/benchmark-identity';
import { clientConfig } from './lib/config';
import { decide, needsApi, type GateRequest } from './lib/gate';
import { identityKey } from './lib/identity-key';
import { fetchMe, type MeResult } from './lib/me-client';
import { respond } from './lib/proxy-response';
import { sessionCookieHeader, sessionCookieNames } from './lib/session-cookie';

/** Gates every page: one kept-alive GET /api/me with the session cookie, then pass (with
 *  signed identity headers), redirect to sign-in, 403, or fail closed with 503. See
 *  lib/gate.ts for the rules and README "Client" for the whole picture. */
export async function proxy(request: NextRequest) {
  const config = clientConfig();
  const cookies = sessionCookieHeader(request.headers.get('cookie'));
  const req: GateRequest = { pathname: request.nextUrl.pathname, search: request.nextUrl.search, sessionCookies: sessionCookieNames(cookies) };

  let me: MeResult | null = null;
  if (config.gateOff) me = benchmarkMe();
  else if (needsApi(req)) me = await fetchMe(config.apiInternalUrl, cookies, config.apiTimeoutMs);

  return respond(request, decide(req, me), identityKey(), process.env.NODE_ENV === 'development');
}

export const config = {
  // Pages only: not the API (rewritten to Express, which checks sessions itself), not
  // build assets, image optimisation, the favicon or files from public/ (they have an
  // extension; no page here does). Prefetches are gated like any navigation.
  matcher: ['/((?!api(?:/|$)|_next/static|_next/image|favicon\\.ico$|.*\\.[A-Za-z0-9]{1,8}$).*)'],
};
