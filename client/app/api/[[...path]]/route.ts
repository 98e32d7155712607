import { REQUEST_BODY_LIMIT_BYTES } from '@cloakroom/shared';
import { forwardToApi } from '../../../lib/api-proxy';
import { clientConfig } from '../../../lib/config';

/** The browser's same-origin door to the API (lib/api-proxy.ts says what it
 *  guarantees). A route handler rather than a next.config rewrite: a rewrite's
 *  destination is fixed at build time, cannot refuse a body or answer a dead API in the
 *  contract's shape, and Next proxies upgrade requests to it untouched. */
export const dynamic = 'force-dynamic';

function handle(request: Request): Promise<Response> {
  const config = clientConfig();
  return forwardToApi(
    request,
    { apiInternalUrl: config.apiInternalUrl, timeoutMs: config.apiProxyTimeoutMs, maxBodyBytes: REQUEST_BODY_LIMIT_BYTES },
    (reason) => console.error(`cloakroom client: ${request.method} ${new URL(request.url).pathname} answered 503: ${reason} (API_INTERNAL_URL)`),
  );
}

export { handle as GET, handle as HEAD, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as OPTIONS };
