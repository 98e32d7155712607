import { sessionHandleSchema, type SessionListItem, type SessionsResponse } from '@cloakroom/shared';
import { Router } from 'express';
import type { SessionManagement } from '../../accounts/session-management';
import { clientContext } from '../../auth/client-context';
import type { SessionCookie } from '../../auth/session/cookie';
import type { UserSession } from '../../auth/session/user-sessions';
import { notFound } from '../errors';
import type { SessionHttp } from '../middleware/session';
import { endCurrentSession } from '../session-end';
import { handle, route } from './route';

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
export function sessionRoutes(deps: { session: SessionHttp; management: SessionManagement; cookie: SessionCookie }): Router {
  const { session, management, cookie } = deps;
  const router = Router();
  const signedIn = [session.load, session.requireAuth];

  route(router, '/sessions', {
    get: [
      session.readAuth,
      handle(async (req, res) => {
        const { user, handle: current } = req.auth!;
        const body: SessionsResponse = { sessions: (await management.list(user.id)).map((s) => toListItem(s, current)) };
        res.json(body);
      }),
    ],
    delete: [
      ...signedIn,
      handle(async (req, res) => {
        const { user, handle: current } = req.auth!;
        res.json({ revoked: await management.revokeOthers(user.id, current, clientContext(req)) });
      }),
    ],
  });

  route(router, '/sessions/:id', {
    delete: [
      ...signedIn,
      handle(async (req, res) => {
        const { user, handle: current } = req.auth!;
        const target = sessionHandleSchema.safeParse(req.params.id);
        // Malformed, someone else's, or already gone: the same 404 for all three.
        if (!target.success || !(await management.revoke(user.id, target.data, clientContext(req), target.data === current))) {
          throw notFound('That session');
        }
        if (target.data === current) await endCurrentSession(req, res, cookie);
        res.status(204).end();
      }),
    ],
  });

  return router;
}
