import type { Request } from 'express';

/** Where a request came from, as sessions and the audit trail record it. */
export interface ClientContext {
  /** The client's address as TRUST_PROXY lets Express believe it. */
  ip: string | null;
  userAgent: string | null;
}

/** User agents are attacker-chosen text: keep a bounded prefix. */
const MAX_USER_AGENT = 256;

export function clientContext(req: Request): ClientContext {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, MAX_USER_AGENT) ?? null };
}
