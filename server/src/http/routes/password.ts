import type { PasswordChangeResponse } from '@cloakroom/shared';
import type { RequestHandler } from 'express';
import type { PasswordChange } from '../../accounts/password-change';
import { toPublicUser } from '../../accounts/public-user';
import { authenticatedAt, signInMethodsOf } from '../../auth/session/record';
import { signInClient } from '../client-context';
import { ApiError, tooManyAttempts } from '../errors';
import type { SessionHttp } from '../middleware/session';
import { weakPassword } from '../password-errors';
import { routeHandlers } from './mount';

/** POST /password: the domain changes the password and ends every other session; the
 *  caller's session then starts afresh under a new ID (its old one ends), bound to the
 *  new credential. */
export function passwordHandlers(deps: { session: SessionHttp; change: PasswordChange; limits: RequestHandler[] }) {
  const { session, change, limits } = deps;

  return routeHandlers({
    changePassword: {
      // Read-only: the session is replaced, so a touch would be written to a record about to go.
      session: 'read-only',
      use: limits,
      async handle({ auth, body }, req, res) {
        const client = signInClient(req);
        const result = await change(auth.user, body, { keep: auth.handle, client });
        if (!result.ok && result.reason === 'invalid_credentials') throw new ApiError('invalid_credentials', 'The current password is incorrect');
        if (!result.ok && result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
        if (!result.ok) throw weakPassword(result.problems, 'newPassword');
        // The new session carries on the old one's proof (the current password was just checked too).
        await session.start(req, res, result.user, client, authenticatedAt(auth.meta).authMethods, signInMethodsOf(auth.meta));
        const response: PasswordChangeResponse = { user: toPublicUser(result.user), revoked: result.revoked };
        res.json(response);
      },
    },
  });
}
