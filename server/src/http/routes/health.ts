import type { HealthResponse, ReadinessResponse } from '@cloakroom/shared';
import { pingDatabase, type Db } from '../../db/connection';
import type { Redis } from '../../redis/client';
import { ApiError, sendError } from '../errors';
import type { Lifecycle } from '../lifecycle';
import { routeHandlers } from './mount';

/** /healthz: the process is up. /readyz: it can serve sessions (Redis and the database
 *  both answer); load balancers stop sending traffic while it says 503. `db` is the
 *  infrastructure's probe connection where it has one (PostgreSQL). */
export function healthHandlers(redis: Redis, db: Db, lifecycle: Lifecycle) {
  const healthy: HealthResponse = { status: 'ok' };
  return routeHandlers({
    health: { handle: (_input, _req, res) => void res.json(healthy) },
    readiness: {
      async handle(_input, _req, res) {
        if (lifecycle.draining) {
          return sendError(
            res,
            new ApiError('service_unavailable', 'Not ready: shutting down', [
              { path: 'instance', code: 'draining', message: 'this instance is shutting down' },
            ]),
          );
        }
        const [r, d] = await Promise.allSettled([redis.ping(), pingDatabase(db)]);
        const checks = { redis: r.status === 'fulfilled' ? 'ok' : 'down', database: d.status === 'fulfilled' ? 'ok' : 'down' } as const;
        if (checks.redis === 'ok' && checks.database === 'ok') {
          const body: ReadinessResponse = { status: 'ok', checks };
          return void res.json(body);
        }
        const down = Object.entries(checks)
          .filter(([, v]) => v === 'down')
          .map(([k]) => k);
        sendError(
          res,
          new ApiError(
            'service_unavailable',
            `Not ready: ${down.join(' and ')} not answering`,
            down.map((name) => ({ path: name, code: 'down', message: `${name} is not answering` })),
          ),
        );
      },
    },
  });
}
