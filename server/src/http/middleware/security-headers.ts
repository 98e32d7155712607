import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../../config/env';

/** helmet, configured for a JSON API: nothing may be framed, embedded or sniffed, no
 *  referrer leaves, HSTS whenever cookies are Secure. */
export function securityHeaders(config: Pick<Config, 'cookie'>): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: config.cookie.secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}

/** The headers `securityHeaders` sets, as name/value pairs, taken from helmet itself
 *  once at start (they depend only on the configuration, not on the request), for the
 *  GET /api/me fast path, which answers without running Express's middleware. */
export function staticSecurityHeaders(config: Pick<Config, 'cookie'>): Array<[string, string]> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: unknown) => void headers.set(name, String(value)),
    removeHeader: (name: string) => void headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  };
  let done = false;
  securityHeaders(config)({} as never, recorder as never, () => (done = true));
  // helmet is synchronous with these options; anything else would mean headers that
  // depend on the request, which this list cannot hold.
  if (!done) throw new Error('helmet did not finish synchronously');
  return [...headers];
}
