import { sessionHandleSchema, type SessionListItem, type SessionsResponse } from '@cloakroom/shared';
import type { SessionManagement } from '../../accounts/session-management';
import { clientContext } from '../../auth/client-context';
import type { SessionCookie } from '../../auth/session/cookie';
import type { UserSession } from '../../auth/session/user-sessions';
import { notFound } from '../errors';
import { endCurrentSession } from '../session-end';
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
export function sessionHandlers(deps: { management: SessionManagement; cookie: SessionCookie }) {
  const { management, cookie } = deps;

  return routeHandlers({
    listSessions: {
      async handle({ auth }, _req, res) {
        const { user, handle: current } = auth;
        const body: SessionsResponse = { sessions: (await management.list(user.id)).map((s) => toListItem(s, current)) };
        res.json(body);
      },
    },

    revokeOtherSessions: {
      async handle({ auth }, req, res) {
        const { user, handle: current } = auth;
        res.json({ revoked: await management.revokeOthers(user.id, current, clientContext(req)) });
      },
    },

    revokeSession: {
      async handle({ auth, params }, req, res) {
        const { user, handle: current } = auth;
        const target = sessionHandleSchema.safeParse(params.id);
        // Malformed, someone else's, or already gone: the same 404 for all three.
        if (!target.success || !(await management.revoke(user.id, target.data, clientContext(req), target.data === current))) {
          throw notFound('That session');
        }
        if (target.data === current) await endCurrentSession(req, res, cookie);
        res.status(204).end();
      },
    },
  });
}
