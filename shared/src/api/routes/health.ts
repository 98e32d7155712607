import { healthResponseSchema, readinessResponseSchema } from '../../schemas';
import { defineRoute } from '../route';

/** Probes for load balancers and orchestrators. */
export const healthRoutes = {
  health: defineRoute({
    method: 'get',
    path: '/healthz',
    access: 'public',
    changesState: false,
    tag: 'Health',
    summary: 'Liveness',
    description: 'The process is up. Asks neither Redis nor the database, and is not logged.',
    responses: { 200: { description: 'The process is up.', body: healthResponseSchema } },
    errors: [],
  }),
  readiness: defineRoute({
    method: 'get',
    path: '/readyz',
    access: 'public',
    changesState: false,
    tag: 'Health',
    summary: 'Readiness',
    description:
      'The instance can serve sessions: Redis and the database both answer. While it says 503, a load balancer should send it no traffic. The 503 names what is down in `details` and has no Retry-After.',
    responses: { 200: { description: 'Redis and the database answer.', body: readinessResponseSchema } },
    errors: ['service_unavailable'],
  }),
} as const;
