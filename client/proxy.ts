import type { NextRequest } from 'next/server';
import { clientConfig } from './lib/config';
import { identityKey } from './lib/identity-key';
import { gatePage } from './lib/page-gate';

/** Gates every page: one kept-alive GET /api/me with the session cookie, then pass (with
 *  signed identity headers), redirect to sign-in, 403, or fail closed with 503. The rules
 *  are in lib/gate.ts; docs/architecture.md ("The page gate") has the whole picture. */
export function proxy(request: NextRequest) {
  return gatePage(request, clientConfig(), identityKey(), process.env.NODE_ENV === 'development');
}

export const config = {
  // Pages only: not the API (served in front of Next by lib/api-edge.ts; Express checks
  // sessions itself), not build assets, image optimisation, the favicon or files from
  // public/ (they have an extension; no page here does). Prefetches are gated like any
  // navigation.
  matcher: ['/((?!api(?:/|$)|_next/static|_next/image|favicon\\.ico$|.*\\.[A-Za-z0-9]{1,8}$).*)'],
};
