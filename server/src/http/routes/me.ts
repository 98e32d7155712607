import type { MeResponse } from '@cloakroom/shared';
import { toPublicUser } from '../../accounts/public-user';
import type { AuthContext } from '../../auth/session/authenticate';
import { authenticatedAt } from '../../auth/session/record';
import { routeHandlers } from './mount';

const iso = (ms: number) => new Date(ms).toISOString();

/** The body of GET /api/me (also sent by the fast path, http/me-fast-path.ts). */
export function meBody({ user, handle, meta, deadlines }: AuthContext): MeResponse {
  const { authTime, authMethods } = authenticatedAt(meta);
  return {
    user: toPublicUser(user),
    session: {
      id: handle,
      createdAt: iso(meta.createdAt),
      expiresAt: iso(deadlines.expiresAt),
      idleExpiresAt: iso(deadlines.idleExpiresAt),
      authTime: iso(authTime),
      authMethods,
    },
  };
}

/** GET /api/me: the caller and their session. Every gated page view of the client costs
 *  one of these, so it takes the read-only session path (and, in front of Express, the
 *  fast path of http/me-fast-path.ts, which falls back to this route for anything
 *  but the plain case). */
export function meHandlers() {
  return routeHandlers({
    me: { handle: ({ auth }, _req, res) => void res.json(meBody(auth)) },
  });
}
