import type { PasswordChangeResponse } from '@cloakroom/shared';
import type { RequestHandler } from 'express';
import type { PasswordChange } from '../../accounts/password-change';
import { toPublicUser } from '../../accounts/public-user';
import { clientContext } from '../../auth/client-context';
import { logIn, type PassportInstance } from '../../auth/passport';
import { ApiError } from '../errors';
import { weakPassword } from '../password-errors';
import { routeHandlers } from './mount';

/** POST /password: re-authenticate with the current password, set the new one, end
 *  every other session, and carry on under a new session ID (req.login regenerates:
 *  the old ID is deleted from Redis and a fresh cookie is sent). */
export function passwordHandlers(deps: { passport: PassportInstance; change: PasswordChange; limits: RequestHandler[] }) {
  const { passport, change, limits } = deps;

  return routeHandlers({
    changePassword: {
      use: [...limits, passport.initialize()],
      async handle({ auth, body }, req, res) {
        const result = await change(auth.user, body, auth.handle, clientContext(req));
        if (!result.ok && result.reason === 'invalid_credentials') throw new ApiError('invalid_credentials', 'The current password is incorrect');
        if (!result.ok) throw weakPassword(result.problems, 'newPassword');
        await logIn(req, result.user);
        const response: PasswordChangeResponse = { user: toPublicUser(result.user), revoked: result.revoked };
        res.json(response);
      },
    },
  });
}
