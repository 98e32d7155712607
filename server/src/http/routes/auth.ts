import type { RequestHandler } from 'express';
import type { UserResponse } from '@cloakroom/shared';
import type { Accounts, CredentialCheck } from '../../accounts/accounts';
import type { EmailVerification } from '../../accounts/email-verification';
import { toPublicUser } from '../../accounts/public-user';
import { signedSessionIds } from '../../auth/session/cookie-header';
import type { SignOut } from '../../auth/session/sign-out';
import type { SignIn } from '../../auth/sign-in';
import type { SecurityEvents } from '../../events/security-events';
import { clientContext, signInClient } from '../client-context';
import type { DeviceCookie } from '../device-cookie';
import { ApiError, tooManyAttempts } from '../errors';
import type { SessionHttp } from '../middleware/session';
import { weakPassword } from '../password-errors';
import type { SessionCookie } from '../session-cookie';
import { clearSessionCookie } from '../session-end';
import { routeHandlers } from './mount';

export interface AuthRouteDeps {
  accounts: Accounts;
  /** passport-local over accounts.checkCredentials (http/passport.ts). */
  credentials: (body: { email: string; password: string }) => Promise<CredentialCheck>;
  session: SessionHttp;
  cookie: SessionCookie;
  device: DeviceCookie;
  secrets: readonly string[];
  /** Limits, lockout, credentials, audit (auth/sign-in.ts). */
  signIn: SignIn;
  signOut: SignOut;
  events: SecurityEvents;
  /** Rate limit in front of register (middleware/rate-limits.ts). */
  limits: { register: RequestHandler[] };
  /** Register mails a verification link; with `required`, sign-in needs a verified address. */
  verification: { required: boolean; service: EmailVerification };
}

const invalidCredentials = () => new ApiError('invalid_credentials', 'The email or password is incorrect');

/** POST /api/auth/register, /login and /logout (declared in shared/src/api/routes/auth.ts).
 *  Each is a straight line: the body (validated by mount.ts), the domain's verdict, then
 *  one session write (or one delete), then the answer. */
export function authHandlers(deps: AuthRouteDeps) {
  const { accounts, credentials, session, cookie, device, secrets, signIn, signOut, events, limits, verification } = deps;
  // A verification mail that cannot be queued must not undo the sign-up or sign-in it
  // follows: the user can ask again (resend); the failure is in the log.
  const sendVerification = (user: Parameters<EmailVerification['sendVerification']>[0], log: { warn: (o: object, m: string) => void }) =>
    verification.service.sendVerification(user).catch((err: unknown) => {
      log.warn({ kind: 'email_verify', reason: err instanceof Error ? err.message : String(err) }, 'verification mail not queued');
    });

  return routeHandlers({
    register: {
      use: limits.register,
      async handle({ body }, req, res) {
        const client = signInClient(req);
        device.rememberOnSuccess(req, res, body.email);
        const result = await accounts.register(body, (user) => session.start(req, res, user, client), { address: client.addressKey });
        if (!result.ok && result.reason === 'email_taken') throw new ApiError('email_taken', 'An account with this email already exists');
        if (!result.ok && result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
        if (!result.ok) throw weakPassword(result.problems, 'password');
        await events.record(result.user.id, 'registered', client);
        await sendVerification(result.user, req.log);
        const answer: UserResponse = { user: toPublicUser(result.user) };
        res.status(201).json(answer);
      },
    },

    login: {
      async handle({ body }, req, res) {
        // Validated first (mount.ts): passport-local only ever sees well-formed credentials.
        const attempt = { email: body.email, client: signInClient(req), device: device.recognise(req, body.email) };
        const result = await signIn(attempt, () => credentials(body));
        if (!result.ok && result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
        if (!result.ok) throw invalidCredentials();
        // Only once the password was right: a wrong one got the same answer as ever.
        if (verification.required && result.user.emailVerifiedAt === null) {
          await sendVerification(result.user, req.log);
          throw new ApiError('email_unverified', 'Confirm your email address first: we have just mailed you a new link');
        }
        device.rememberOnSuccess(req, res, body.email);
        await session.start(req, res, result.user, attempt.client);
        const answer: UserResponse = { user: toPublicUser(result.user) };
        res.status(200).json(answer);
      },
    },

    logout: {
      async handle(_input, req, res) {
        // Without a validly signed session cookie there is nothing to end (and no Redis
        // to ask); logout succeeds all the same.
        await signOut(signedSessionIds(req.headers.cookie, cookie.name, secrets), clientContext(req));
        clearSessionCookie(res, cookie);
        res.status(204).end();
      },
    },
  });
}
