import { signInUrl, type MeResponse } from '@cloakroom/shared';
import { accessFor, SIGN_IN_PAGES, type Access } from './access';
import type { Identity } from './identity-token';
import { canonicalPath } from './identity-token';
import type { MeResult } from './me-client';
import { safeNextPath } from './next-path';

/** What the proxy does with one page request: the decision alone, free of Next and of
 *  the network, so each rule is visible (and tested) in one place. */
export type Verdict =
  | { kind: 'pass'; user: Identity | null; clearCookies: string[] }
  | { kind: 'redirect'; location: string; clearCookies: string[] }
  | { kind: 'forbidden' }
  | { kind: 'unavailable'; reason: string };

export interface GateRequest {
  pathname: string;
  /** The query string with its leading `?`, or ''. */
  search: string;
  /** Names of the session cookies the request carried. */
  sessionCookies: string[];
}

/** Whether the API must be asked at all: only when there is a cookie to check and the
 *  answer changes what happens (the landing page is the same for everybody). */
export function needsApi(req: GateRequest): boolean {
  if (req.sessionCookies.length === 0) return false;
  const access = accessFor(req.pathname);
  return access !== 'public' || SIGN_IN_PAGES.has(canonicalPath(req.pathname));
}

export function identityFromMe(me: MeResponse): Identity {
  const { user, session } = me;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    emailVerified: user.emailVerified,
    sessionId: session.id,
    expiresAt: session.expiresAt,
    idleExpiresAt: session.idleExpiresAt,
  };
}

export function loginRedirect(pathname: string, search: string): string {
  return signInUrl(`${pathname}${stripInternalQuery(search)}`);
}

/** `_rsc` is Next's cache-busting parameter for client navigations, not the user's. */
function stripInternalQuery(search: string): string {
  if (!search) return '';
  const params = new URLSearchParams(search);
  params.delete('_rsc');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}

/** `me` is null when the API was not asked (see needsApi). */
export function decide(req: GateRequest, me: MeResult | null): Verdict {
  const access: Access = accessFor(req.pathname);
  const stale = me?.kind === 'signed_out' ? req.sessionCookies : [];

  if (access === 'public') {
    if (me?.kind === 'signed_in' && SIGN_IN_PAGES.has(canonicalPath(req.pathname))) {
      const next = new URLSearchParams(req.search).get('next');
      return { kind: 'redirect', location: safeNextPath(next), clearCookies: [] };
    }
    // Signed out, or the API is down: the public page itself is harmless. A cookie /api/me
    // refuses is left alone here: it may be a pending two-step sign-in (not signed in
    // yet), which a late prefetch of /register or a second tab on /login must not end.
    return { kind: 'pass', user: null, clearCookies: [] };
  }

  if (me === null || me.kind === 'signed_out') {
    return { kind: 'redirect', location: loginRedirect(req.pathname, req.search), clearCookies: stale };
  }
  if (me.kind === 'unavailable') return { kind: 'unavailable', reason: me.reason };
  if (access === 'admin' && me.me.user.role !== 'admin') return { kind: 'forbidden' };
  return { kind: 'pass', user: identityFromMe(me.me), clearCookies: [] };
}
