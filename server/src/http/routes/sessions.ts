import { sessionHandleSchema, type SessionListItem, type SessionsResponse } from '@cloakroom/shared';
import type { UserSession, UserSessions } from '../../auth/session/user-sessions';
import { clientContext } from '../client-context';
import { notFound } from '../errors';
import type { SessionCookie } from '../session-cookie';
import { endedCurrentSession } from '../session-end';
import { routeHandlers } from './mount';

const iso = (ms: number) => new Date(ms).toISOString();

function toListItem(s: UserSession, currentHandle: string): SessionListItem {
  return {
    id: s.handle,
    createdAt: iso(s.meta.createdAt),
    lastSeenAt: iso(s.meta.lastSeenAt),
    expiresAt: iso(s.expiresAt),
    userAgent: s.meta.userAgent,
    ip: s.meta.ip,
    current: s.handle === currentHandle,
  };
}

/** The signed-in user's sessions: GET /sessions, DELETE /sessions (all but this one),
 *  DELETE /sessions/:id. Ids are public handles; a revoked session is refused on its
 *  very next request because its record is gone from Redis. */
export function sessionHandlers(deps: { sessions: UserSessions; cookie: SessionCookie }) {
  const { sessions, cookie } = deps;

  return routeHandlers({
    listSessions: {
      async handle({ auth }, _req, res) {
        const { user, handle: current } = auth;
        const body: SessionsResponse = { sessions: (await sessions.list(user)).map((s) => toListItem(s, current)) };
        res.json(body);
      },
    },

    revokeOtherSessions: {
      async handle({ auth }, req, res) {
        const { user, handle: current } = auth;
        res.json({ revoked: await sessions.revokeOthers(user.id, current, clientContext(req)) });
      },
    },

    revokeSession: {
      // Read-only: the caller's own session may be the one that ends.
      session: 'read-only',
      async handle({ auth, params }, req, res) {
        const { user, handle: current } = auth;
        const target = sessionHandleSchema.safeParse(params.id);
        const isCurrent = target.success && target.data === current;
        // Malformed, someone else's, or already gone: the same 404 for all three.
        if (!target.success || !(await sessions.revoke(user.id, target.data, { client: clientContext(req), current: isCurrent }))) {
          throw notFound('That session');
        }
        if (isCurrent) endedCurrentSession(req, res, cookie);
        res.status(204).end();
      },
    },
  });
}
