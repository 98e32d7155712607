import { loginBodySchema, registerBodySchema, type UserResponse } from '@cloakroom/shared';
import { Router, type RequestHandler } from 'express';
import type { Accounts, CredentialCheck } from '../../accounts/accounts';
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
import { parse } from '../validate';
import { handle, route } from './route';

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
}

const invalidCredentials = () => new ApiError('invalid_credentials', 'The email or password is incorrect');

/** Sign-up, sign-in and sign-out. Each is a straight line: validate, the domain's
 *  verdict, then one session write (or one delete), then the answer. */
export function authRoutes(deps: AuthRouteDeps): Router {
  const { accounts, credentials, session, cookie, device, secrets, signIn, signOut, events, limits } = deps;
  const router = Router();

  route(router, '/register', {
    post: [
      ...limits.register,
      handle(async (req, res) => {
        const body = parse(registerBodySchema, req.body);
        const client = signInClient(req);
        device.rememberOnSuccess(req, res, body.email);
        const result = await accounts.register(body, (user) => session.start(req, res, user, client), { address: client.addressKey });
        if (!result.ok && result.reason === 'email_taken') throw new ApiError('email_taken', 'An account with this email already exists');
        if (!result.ok && result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
        if (!result.ok) throw weakPassword(result.problems, 'password');
        await events.record(result.user.id, 'registered', client);
        const answer: UserResponse = { user: toPublicUser(result.user) };
        res.status(201).json(answer);
      }),
    ],
  });

  route(router, '/login', {
    post: [
      handle(async (req, res) => {
        // Validated first: passport-local only ever sees well-formed credentials.
        const body = parse(loginBodySchema, req.body);
        const attempt = { email: body.email, client: signInClient(req), device: device.recognise(req, body.email) };
        const result = await signIn(attempt, () => credentials(body));
        if (!result.ok && result.reason === 'throttled') throw tooManyAttempts(result.retryAfterMs);
        if (!result.ok) throw invalidCredentials();
        device.rememberOnSuccess(req, res, body.email);
        await session.start(req, res, result.user, attempt.client);
        const answer: UserResponse = { user: toPublicUser(result.user) };
        res.status(200).json(answer);
      }),
    ],
  });

  route(router, '/logout', {
    post: [
      handle(async (req, res) => {
        // Without a validly signed session cookie there is nothing to end (and no Redis
        // to ask); logout succeeds all the same.
        await signOut(signedSessionIds(req.headers.cookie, cookie.name, secrets), clientContext(req));
        clearSessionCookie(res, cookie);
        res.status(204).end();
      }),
    ],
  });

  return router;
}
