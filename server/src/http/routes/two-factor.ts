import {
  userIdSchema,
  type ReauthResponse,
  type RecoveryCodesResponse,
  type TotpSetupResponse,
  type TwoFactorStatus,
  type UserResponse,
} from '@cloakroom/shared';
import type { Accounts } from '../../accounts/accounts';
import { toPublicUser } from '../../accounts/public-user';
import type { PendingFailures } from '../../auth/pending-failures';
import type { SignIn } from '../../auth/sign-in';
import type { UserRow, UsersRepository } from '../../db/users';
import type { SecondFactor } from '../../mfa/second-factor';
import type { ClientContext } from '../../auth/client';
import { clientContext, signInClient } from '../client-context';
import type { DeviceCookie } from '../device-cookie';
import { ApiError, notFound, tooManyAttempts, unauthenticated } from '../errors';
import type { SessionHttp } from '../middleware/session';
import type { PasskeyProof } from '../passkey-proof';
import { invalidPasskey } from './passkeys';
import { signInMethodsOf } from '../../auth/session/record';
import { routeHandlers } from './mount';

export interface TwoFactorRouteDeps {
  secondFactor: SecondFactor;
  session: SessionHttp;
  users: UsersRepository;
  accounts: Accounts;
  signIn: SignIn;
  pendingFailures: PendingFailures;
  device: DeviceCookie;
  /** A passkey as re-authentication and as the second step of a sign-in (http/passkey-proof.ts). */
  passkeys: { reauth: PasskeyProof; secondStep: PasskeyProof };
  /** Tells the user a recovery code was used (mail, when configured). */
  onRecoveryCodeUsed?: (user: UserRow, client: ClientContext) => Promise<void>;
}

const invalidCode = () => new ApiError('invalid_code', 'That code is not right (or was already used). Try the current one.');
const noKey = () => new ApiError('service_unavailable', 'Second factors are not available: the server has no DATA_ENCRYPTION_KEY configured');
const notEnabled = () => new ApiError('second_factor_not_enabled', 'This account has no authenticator app set up');
const enabled = () => new ApiError('second_factor_enabled', 'An authenticator app is already set up; remove it first');

/** The second step of sign-in, the authenticator's life cycle, and re-authentication
 *  (declared in shared/src/api/routes/two-factor.ts). */
export function twoFactorHandlers(deps: TwoFactorRouteDeps) {
  const { secondFactor, session, users, accounts, signIn, pendingFailures, device, passkeys, onRecoveryCodeUsed } = deps;

  return routeHandlers({
    verifySecondFactor: {
      async handle({ pending, body }, req, res) {
        const { handle, ref, record } = pending;
        const user = await users.findById(record.userId);
        // A password change (or a deleted account) since the password step voids it.
        if (!user || user.credentialVersion !== record.credentialVersion) {
          await session.store.remove(ref);
          throw unauthenticated();
        }
        const turn = await pendingFailures.admit(handle);
        if (!turn.allowed) {
          await session.store.remove(ref);
          throw unauthenticated();
        }
        const client = signInClient(req);
        const method = 'code' in body ? 'totp' : 'recoveryCode' in body ? 'recovery_code' : 'passkey';
        const check = () =>
          'code' in body
            ? secondFactor.verifyTotp(user.id, body.code)
            : 'recoveryCode' in body
              ? secondFactor.useRecoveryCode(user.id, body.recoveryCode, clientContext(req))
              : passkeys.secondStep(user, body.passkey, req, handle);
        // The same limits and lockout as the password: the attempt counts against the
        // account and the address (and the browser, if it signed in to this account before).
        const result = await signIn(
          { email: record.email, client, device: record.device },
          async () => ((await check()) ? { user } : { user: null, knownUserId: user.id }),
          {
            success: 'login_succeeded',
            failure: 'second_factor_failed',
            details: { secondFactor: method },
          },
        );
        if (!result.ok) {
          if (turn.last) await session.store.remove(ref);
          if (result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
          throw method === 'passkey' ? invalidPasskey() : invalidCode();
        }
        await pendingFailures.clear(handle);
        if (method === 'recovery_code')
          void onRecoveryCodeUsed?.(user, clientContext(req)).catch((err: unknown) => req.log.warn({ err }, 'recovery code notice not sent'));
        device.rememberOnSuccess(req, res, record.email);
        await session.start(req, res, user, client, ['password', method]);
        const answer: UserResponse = { user: toPublicUser(user) };
        res.json(answer);
      },
    },

    twoFactorStatus: {
      async handle({ auth }, _req, res) {
        const answer: TwoFactorStatus = await secondFactor.status(auth.user, signInMethodsOf(auth.meta));
        res.json(answer);
      },
    },

    setupTotp: {
      async handle({ auth }, _req, res) {
        const result = await secondFactor.beginSetup(auth.user);
        if (!result.ok) throw result.reason === 'no_key' ? noKey() : enabled();
        const answer: TotpSetupResponse = { secret: result.secret, otpauthUrl: result.otpauthUrl };
        res.json(answer);
      },
    },

    confirmTotp: {
      async handle({ auth, body }, req, res) {
        const result = await secondFactor.confirm(auth.user, body.code, clientContext(req));
        if (!result.ok && result.reason === 'invalid_code') throw invalidCode();
        if (!result.ok && result.reason === 'no_setup')
          throw new ApiError('no_setup_pending', 'Start the setup first: no authenticator is waiting for confirmation');
        if (!result.ok) throw enabled();
        const answer: RecoveryCodesResponse = { recoveryCodes: result.recoveryCodes };
        res.json(answer);
      },
    },

    disableTotp: {
      async handle({ auth }, req, res) {
        if (!(await secondFactor.disable(auth.user, clientContext(req)))) throw notEnabled();
        res.status(204).end();
      },
    },

    regenerateRecoveryCodes: {
      async handle({ auth }, req, res) {
        const codes = await secondFactor.regenerateRecoveryCodes(auth.user, clientContext(req));
        if (!codes) throw notEnabled();
        const answer: RecoveryCodesResponse = { recoveryCodes: codes };
        res.json(answer);
      },
    },

    resetUserSecondFactor: {
      async handle({ auth, params }, req, res) {
        const id = userIdSchema.safeParse(params.id);
        const target = id.success ? await users.findById(id.data) : null;
        if (!target) throw notFound('That user');
        if (!(await secondFactor.disable(target, clientContext(req), { resetBy: auth.user.id }))) throw notEnabled();
        res.status(204).end();
      },
    },

    reauthenticate: {
      async handle({ auth, body }, req, res) {
        // The row, not just the session's view of it: the attempt counters audit a full user.
        const user = await users.findById(auth.user.id);
        if (!user) throw unauthenticated();
        const hasSecondFactor = await secondFactor.hasTotp(user.id);
        const attempt = { email: user.email, client: signInClient(req), device: device.recognise(req, user.email) };
        const audit = { success: 'reauthenticated', failure: 'login_failed', details: { reauth: true } } as const;
        let method: 'password' | 'totp' | 'passkey';
        if ('password' in body) {
          // The strongest factor the account has: with a second factor, the password alone is not enough.
          if (hasSecondFactor) throw new ApiError('invalid_credentials', 'This account has a second factor: confirm with a code from your authenticator app');
          method = 'password';
          const result = await signIn(attempt, () => accounts.checkCredentials(user.email, body.password), audit);
          if (!result.ok && result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
          if (!result.ok) throw new ApiError('invalid_credentials', 'The password is incorrect');
        } else if ('code' in body) {
          method = 'totp';
          const result = await signIn(
            attempt,
            async () => ((await secondFactor.verifyTotp(user.id, body.code)) ? { user } : { user: null, knownUserId: user.id }),
            {
              ...audit,
              failure: 'second_factor_failed',
            },
          );
          if (!result.ok && result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
          if (!result.ok) throw invalidCode();
        } else {
          method = 'passkey';
          const passkey = body.passkey;
          const result = await signIn(
            attempt,
            async () => ((await passkeys.reauth(user, passkey, req, auth.handle)) ? { user } : { user: null, knownUserId: user.id }),
            audit,
          );
          if (!result.ok && result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
          if (!result.ok) throw new ApiError('invalid_credentials', 'That passkey did not confirm it is you');
        }
        const meta = req.session.meta!;
        // Changing the record makes express-session save it at the end of the response.
        meta.authTime = Date.now();
        meta.authMethods = [method];
        const answer: ReauthResponse = { authTime: new Date(meta.authTime).toISOString() };
        res.json(answer);
      },
    },
  });
}
