import { passwordChangeBodySchema, type PasswordChangeResponse } from '@cloakroom/shared';
import { Router, type RequestHandler } from 'express';
import type { PasswordChange } from '../../accounts/password-change';
import { toPublicUser } from '../../accounts/public-user';
import { clientContext } from '../../auth/client-context';
import { logIn, type PassportInstance } from '../../auth/passport';
import { ApiError } from '../errors';
import type { SessionHttp } from '../middleware/session';
import { weakPassword } from '../password-errors';
import { parse } from '../validate';
import { handle, route } from './route';

/** POST /password: re-authenticate with the current password, set the new one, end
 *  every other session, and carry on under a new session ID (req.login regenerates:
 *  the old ID is deleted from Redis and a fresh cookie is sent). */
export function passwordRoutes(deps: { session: SessionHttp; passport: PassportInstance; change: PasswordChange; limits: RequestHandler[] }): Router {
  const { session, passport, change, limits } = deps;
  const router = Router();

  route(router, '/password', {
    post: [
      session.load,
      session.requireAuth,
      ...limits,
      passport.initialize(),
      handle(async (req, res) => {
        const body = parse(passwordChangeBodySchema, req.body);
        const result = await change(req.auth!.user, body, req.auth!.handle, clientContext(req));
        if (!result.ok && result.reason === 'invalid_credentials') throw new ApiError('invalid_credentials', 'The current password is incorrect');
        if (!result.ok) throw weakPassword(result.problems, 'newPassword');
        await logIn(req, result.user);
        const response: PasswordChangeResponse = { user: toPublicUser(result.user), revoked: result.revoked };
        res.json(response);
      }),
    ],
  });
  return router;
}
