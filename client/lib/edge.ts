import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { REQUEST_BODY_LIMIT_BYTES } from '@cloakroom/shared';
import { apiPath, refuseApiUpgrade, serveApiRequest } from './api-edge';
import { clientConfig } from './config';
import { checkStartup } from './startup';

/** What the client's Node server runs besides Next, bundled into server/dist/edge.cjs
 *  (scripts/bundle-edge.mjs) and attached by server/edge.cjs to every server just
 *  before it listens: the configuration check (so a bad setting is the last line, never
 *  followed by Next's "Ready"), then /api (lib/api-edge.ts) in front of Next. */

let checked = false;

export function attach(server: Server): void {
  if (!checked) {
    checked = true;
    checkStartup();
  }
  const config = clientConfig();
  const options = { apiInternalUrl: config.apiInternalUrl, timeoutMs: config.apiProxyTimeoutMs, maxBodyBytes: REQUEST_BODY_LIMIT_BYTES };
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  // Next's own listeners never see /api: its requests are answered here, its upgrades refused.
  server.emit = function emitBesideNext(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      const path = apiPath(req.url);
      if (path !== null) {
        void serveApiRequest(req, res, path, options, (reason) =>
          console.error(`cloakroom client: ${req.method} ${path.split('?')[0]} answered 503: ${reason} (API_INTERNAL_URL)`),
        );
        return true;
      }
    } else if (event === 'upgrade') {
      const [req, socket] = args as [IncomingMessage, Duplex];
      if (apiPath(req.url) !== null) {
        refuseApiUpgrade(socket);
        return true;
      }
    }
    return emit(event, ...args);
  } as Server['emit'];
}
