import type { MeResponse } from '@cloakroom/shared';
import { Router } from 'express';
import { toPublicUser } from '../../accounts/public-user';
import type { SessionHttp } from '../middleware/session';
import { route } from './route';

const iso = (ms: number) => new Date(ms).toISOString();

/** GET /api/me: the caller and their session. Every gated page view of the client costs
 *  one of these, so it takes the read-only session path. */
export function meRoutes(session: SessionHttp) {
  const router = Router();
  route(router, '/me', {
    get: [
      session.readAuth,
      (req, res) => {
        const { user, handle, meta, deadlines } = req.auth!;
        const body: MeResponse = {
          user: toPublicUser(user),
          session: { id: handle, createdAt: iso(meta.createdAt), expiresAt: iso(deadlines.expiresAt), idleExpiresAt: iso(deadlines.idleExpiresAt) },
        };
        res.json(body);
      },
    ],
  });
  return router;
}
