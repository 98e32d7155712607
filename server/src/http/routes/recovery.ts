import type { EmptyResponse, UserResponse } from '@cloakroom/shared';
import type { EmailVerification } from '../../accounts/email-verification';
import type { PasswordReset } from '../../accounts/password-reset';
import { toPublicUser } from '../../accounts/public-user';
import { signInClient } from '../client-context';
import { ApiError, tooManyAttempts } from '../errors';
import type { RateLimits } from '../middleware/rate-limits';
import { weakPassword } from '../password-errors';
import { routeHandlers } from './mount';

/** One message for every token that does not work (used, expired, voided, unknown or
 *  altered): the answer says nothing about which. */
export const invalidToken = () => new ApiError('invalid_token', 'This link is invalid or has expired. Ask for a new one.');
const emailTaken = () => new ApiError('email_taken', 'An account with this email already exists');
const empty: EmptyResponse = {};

/** Password reset, email verification and email change (shared/src/api/routes/recovery.ts). */
export function recoveryHandlers(deps: {
  reset: PasswordReset;
  verification: EmailVerification;
  limits: Pick<RateLimits, 'forgotPassword' | 'tokens' | 'verifyResend' | 'emailChange'>;
}) {
  const { reset, verification, limits } = deps;
  return routeHandlers({
    forgotPassword: {
      use: limits.forgotPassword,
      handle({ body }, req, res) {
        // The answer goes before the address is looked up: same body, same time, known
        // or not. The lookup, the token and the mail follow it.
        // Once the answer has been handed to the operating system ('finish'), or the
        // client went away first ('close'): either way the mail goes out, once.
        const client = signInClient(req);
        let started = false;
        const start = () => {
          if (started) return;
          started = true;
          reset.requestInBackground(body.email, client);
        };
        res.once('finish', start);
        res.once('close', start);
        res.status(202).json(empty);
      },
    },

    resetPassword: {
      use: limits.tokens,
      async handle({ body }, req, res) {
        const result = await reset.reset(body.token, body.newPassword, signInClient(req));
        if (!result.ok && result.reason === 'invalid_token') throw invalidToken();
        if (!result.ok) throw weakPassword(result.problems, 'newPassword');
        res.status(200).json(empty);
      },
    },

    verifyEmail: {
      use: limits.tokens,
      async handle({ body }, req, res) {
        const result = await verification.confirm(body.token, signInClient(req));
        if (!result.ok && result.reason === 'email_taken') throw emailTaken();
        if (!result.ok) throw invalidToken();
        const answer: UserResponse = { user: toPublicUser(result.user) };
        res.status(200).json(answer);
      },
    },

    resendVerification: {
      use: limits.verifyResend,
      async handle({ auth }, _req, res) {
        if (auth.user.emailVerifiedAt === null) await verification.sendVerification(auth.user);
        res.status(202).json(empty);
      },
    },

    changeEmail: {
      use: limits.emailChange,
      async handle({ auth, body }, req, res) {
        const result = await verification.requestChange(auth.user, body, signInClient(req));
        if (!result.ok && result.reason === 'invalid_credentials') throw new ApiError('invalid_credentials', 'The current password is incorrect');
        if (!result.ok && result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
        if (!result.ok && result.reason === 'email_taken') throw emailTaken();
        if (!result.ok)
          throw new ApiError('validation_failed', 'The request body is invalid', [
            { path: 'newEmail', code: 'same_email', message: 'This is already your email address' },
          ]);
        res.status(202).json(empty);
      },
    },
  });
}
