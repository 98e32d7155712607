import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { ClientContext, SignInClient } from '../auth/client';

/** User agents are attacker-chosen text: keep a bounded prefix. */
const MAX_USER_AGENT = 256;

/** An IPv6 site gets a /48 (RFC 6177's usual assignment), so one site can hold every
 *  address of one: counting by anything narrower lets a single site look like many
 *  clients (6 addresses of one /48 in six /56s reached a per-account ceiling). */
const IPV6_SITE_PREFIX = 48;

export function clientContext(req: Request): ClientContext {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, MAX_USER_AGENT) ?? null };
}

/** The client address a limit counts: what TRUST_PROXY lets Express believe (a spoofed
 *  X-Forwarded-For from an untrusted peer is ignored), an IPv6 client by its /48. */
export function clientAddressKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown', IPV6_SITE_PREFIX);
}

export function signInClient(req: Request): SignInClient {
  return { ...clientContext(req), addressKey: clientAddressKey(req) };
}
