import type { RequestHandler } from 'express';
import type { UserState } from '../../auth/user-state';
import type { AuthMethod } from '@cloakroom/shared';
import { authenticatedAt, signInMethodsOf } from '../../auth/session/record';
import { ApiError } from '../errors';

/** What the step-up checks of the route table need (config REAUTH_WINDOW and
 *  REQUIRE_2FA_FOR_ROLES, and the second-factor service). */
export interface StepUpPolicy {
  reauthWindowMs: number;
  /** True when the session may only set up a second factor (REQUIRE_2FA_FOR_ROLES). */
  mustSetUpSecondFactor(user: UserState, signInMethods: readonly AuthMethod[]): Promise<boolean>;
}

/** A sensitive route (`recentAuth` in the table): the session's user proved who they are
 *  within the window, else 403 reauth_required (the client asks and retries). Runs after
 *  the access check, so req.auth is the caller. */
export function requireRecentAuth(policy: StepUpPolicy): RequestHandler {
  return (req, _res, next) => {
    const meta = req.auth?.meta;
    const recent = meta !== undefined && Date.now() - authenticatedAt(meta).authTime < policy.reauthWindowMs;
    next(recent ? undefined : new ApiError('reauth_required', 'Confirm it is you first (POST /api/auth/reauth), then try again'));
  };
}

/** REQUIRE_2FA_FOR_ROLES: a session of a user whose role needs a second factor, who has
 *  none and did not sign in with a passkey, may only set one up (routes marked
 *  `beforeSecondFactor`); everything else answers 403. */
export function requireSecondFactorSetup(policy: StepUpPolicy): RequestHandler {
  return (req, _res, next) => {
    const auth = req.auth;
    if (!auth) return next();
    policy
      .mustSetUpSecondFactor(auth.user, signInMethodsOf(auth.meta))
      .then(
        (must) =>
          next(must ? new ApiError('second_factor_setup_required', 'Your account needs a second factor: set up an authenticator app first') : undefined),
        next,
      );
  };
}
