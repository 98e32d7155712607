import type { RequestHandler } from 'express';
import type { UserState } from '../../auth/user-state';
import { authenticatedAt } from '../../auth/session/record';
import { ApiError } from '../errors';

/** What the step-up checks of the route table need (config REAUTH_WINDOW and
 *  REQUIRE_2FA_FOR_ROLES, and the second-factor service). */
export interface StepUpPolicy {
  reauthWindowMs: number;
  /** True when the user's role needs a second factor and they have none yet. */
  mustSetUpSecondFactor(user: UserState): Promise<boolean>;
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

/** REQUIRE_2FA_FOR_ROLES: a user whose role needs a second factor and who has none may
 *  only set one up (routes marked `beforeSecondFactor`); everything else answers 403. */
export function requireSecondFactorSetup(policy: StepUpPolicy): RequestHandler {
  return (req, _res, next) => {
    const user = req.auth?.user;
    if (!user) return next();
    policy
      .mustSetUpSecondFactor(user)
      .then(
        (must) =>
          next(must ? new ApiError('second_factor_setup_required', 'Your account needs a second factor: set up an authenticator app first') : undefined),
        next,
      );
  };
}
