import type { EventsResponse } from '@cloakroom/shared';
import type { SecurityEvents } from '../../events/security-events';
import { routeHandlers } from './mount';

/** GET /api/auth/events: the caller's own recent security events, newest first. */
export function eventHandlers(deps: { events: SecurityEvents }) {
  const { events } = deps;
  return routeHandlers({
    listEvents: {
      async handle({ auth }, _req, res) {
        const rows = await events.recent(auth.user.id);
        const body: EventsResponse = { events: rows.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
        res.json(body);
      },
    },
  });
}
