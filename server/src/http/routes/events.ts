import type { EventsResponse } from '@cloakroom/shared';
import { Router } from 'express';
import type { SecurityEvents } from '../../events/security-events';
import type { SessionHttp } from '../middleware/session';
import { handle, route } from './route';

/** GET /events: the caller's own recent security events, newest first. */
export function eventRoutes(deps: { session: SessionHttp; events: SecurityEvents }): Router {
  const { session, events } = deps;
  const router = Router();
  route(router, '/events', {
    get: [
      session.readAuth,
      handle(async (req, res) => {
        const rows = await events.recent(req.auth!.user.id);
        const body: EventsResponse = { events: rows.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
        res.json(body);
      }),
    ],
  });
  return router;
}
