import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Accounts, CredentialCheck } from '../../accounts/accounts';
import { toPublicUser } from '../../accounts/public-user';
import { clientContext } from '../../auth/client-context';
import { logIn, type PassportInstance } from '../../auth/passport';
import { sessionIdFromHeader } from '../../auth/session/cookie-header';
import type { SessionCookie } from '../../auth/session/cookie';
import type { StoredSession } from '../../auth/session/record';
import type { SignIn } from '../../auth/sign-in';
import type { UserRow } from '../../db/users';
import type { SecurityEvents } from '../../events/security-events';
import { ApiError, tooManyAttempts } from '../errors';
import { clientAddressKey } from '../middleware/rate-limits';
import type { SessionHttp } from '../middleware/session';
import { weakPassword } from '../password-errors';
import { clearSessionCookie } from '../session-end';
import { routeHandlers } from './mount';

export interface AuthRouteDeps {
  accounts: Accounts;
  passport: PassportInstance;
  session: SessionHttp;
  cookie: SessionCookie;
  secrets: readonly string[];
  /** Lockout, then credentials, then the audit trail (auth/sign-in.ts). */
  signIn: SignIn;
  events: SecurityEvents;
  /** Rate limits in front of login and register (middleware/rate-limits.ts). */
  limits: { login: RequestHandler[]; register: RequestHandler[] };
}

const invalidCredentials = () => new ApiError('invalid_credentials', 'The email or password is incorrect');

/** passport.authenticate as a promise: the user, or null and the account a wrong
 *  password was tried on (for the audit trail only). */
function authenticateLocal(passport: PassportInstance, req: Request, res: Response): Promise<CredentialCheck> {
  return new Promise((resolve, reject) => {
    const middleware = passport.authenticate('local', { session: false }, (err: unknown, user: UserRow | false, info?: { knownUserId?: string }) =>
      err ? reject(err) : resolve(user ? { user } : { user: null, knownUserId: info?.knownUserId }),
    ) as RequestHandler;
    middleware(req, res, reject as NextFunction);
  });
}

/** POST /api/auth/register, /login and /logout (declared in shared/src/api/routes/auth.ts). */
export function authHandlers(deps: AuthRouteDeps) {
  const { accounts, passport, session, cookie, secrets, signIn, events, limits } = deps;

  /** express-session silently sets no cookie when a Secure cookie would travel over
   *  plain HTTP, so the sign-in "works" and the next request is signed out. Say why, once. */
  let warnedInsecure = false;
  const warnIfCookieCannotBeSet = (req: Request) => {
    if (!cookie.options.secure || req.secure || warnedInsecure) return;
    warnedInsecure = true;
    req.log.warn(
      'signed in over plain HTTP with COOKIE_SECURE=true: the browser gets no session cookie. Serve HTTPS (with TRUST_PROXY behind a proxy) or set COOKIE_SECURE=false locally',
    );
  };
  const withSession = [session.load, passport.initialize()];

  return routeHandlers({
    register: {
      use: [...limits.register, ...withSession],
      async handle({ body }, req, res) {
        const result = await accounts.register(body, (user) => logIn(req, user));
        if (!result.ok && result.reason === 'email_taken') throw new ApiError('email_taken', 'An account with this email already exists');
        if (!result.ok) throw weakPassword(result.problems, 'password');
        warnIfCookieCannotBeSet(req);
        await events.record(result.user.id, 'registered', clientContext(req));
        res.status(201).json({ user: toPublicUser(result.user) });
      },
    },

    login: {
      use: [...limits.login, ...withSession],
      async handle({ body }, req, res) {
        // The body was validated first (mount.ts): passport-local would answer a missing
        // field with its own bare 400, outside the contract. It only sees well-formed input.
        req.body = body;
        const client = { ...clientContext(req), addressKey: clientAddressKey(req) };
        const result = await signIn(body.email, client, () => authenticateLocal(passport, req, res));
        if (!result.ok && result.reason === 'locked') throw tooManyAttempts(result.retryAfterMs);
        if (!result.ok) throw invalidCredentials();
        const { user } = result;
        await logIn(req, user); // regenerates: the pre-login session ID is dead
        warnIfCookieCannotBeSet(req);
        res.status(200).json({ user: toPublicUser(user) });
      },
    },

    logout: {
      use: [session.load],
      async handle(_input, req, res) {
        // Only a request that carried a session cookie has anything to destroy; without
        // one, logout still succeeds (and needs no Redis).
        let userId: unknown;
        if (sessionIdFromHeader(req.headers.cookie, cookie.name, secrets)) {
          userId = (req.session as unknown as StoredSession).passport?.user;
          await new Promise<void>((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(err) : resolve())));
        }
        clearSessionCookie(res, cookie);
        if (typeof userId === 'string') await events.record(userId, 'logout', clientContext(req));
        res.status(204).end();
      },
    },
  });
}
