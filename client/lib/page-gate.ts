import type { NextRequest } from 'next/server';
import { benchmarkMe } from './benchmark-identity';
import type { ClientConfig } from './config';
import { decide, needsApi, type GateRequest } from './gate';
import { fetchMe, type MeResult } from './me-client';
import { respond } from './proxy-response';
import { sessionCookieHeader, sessionCookieNames } from './session-cookie';

/** One page request through the gate: at most one GET /api/me, then the response the
 *  verdict calls for (proxy.ts binds it to the process's configuration and key). */
export async function gatePage(
  request: NextRequest,
  config: Pick<ClientConfig, 'apiInternalUrl' | 'apiTimeoutMs' | 'gateOff'>,
  key: Buffer,
  development = false,
) {
  const cookies = sessionCookieHeader(request.headers.get('cookie'));
  const req: GateRequest = { pathname: request.nextUrl.pathname, search: request.nextUrl.search, sessionCookies: sessionCookieNames(cookies) };

  let me: MeResult | null = null;
  if (config.gateOff) me = benchmarkMe();
  else if (needsApi(req)) me = await fetchMe(config.apiInternalUrl, cookies, config.apiTimeoutMs);

  return respond(request, decide(req, me), key, development);
}
