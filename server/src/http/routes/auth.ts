import { loginBodySchema, registerBodySchema } from '@cloakroom/shared';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Accounts } from '../../accounts/accounts';
import { toPublicUser } from '../../accounts/public-user';
import { logIn, type PassportInstance } from '../../auth/passport';
import { PASSWORD_PROBLEM_MESSAGES } from '../../auth/passwords/policy';
import { sessionIdFromHeader } from '../../auth/session/cookie-header';
import type { UserRow } from '../../db/users';
import { ApiError } from '../errors';
import type { SessionHttp } from '../middleware/session';
import { parse } from '../validate';
import { handle, route } from './route';

export interface AuthRouteDeps {
  accounts: Accounts;
  passport: PassportInstance;
  session: SessionHttp;
  cookie: { name: string; options: object };
  secrets: readonly string[];
}

const invalidCredentials = () => new ApiError('invalid_credentials', 'The email or password is incorrect');

/** passport.authenticate as a promise that resolves to the user or null. */
function authenticateLocal(passport: PassportInstance, req: Request, res: Response): Promise<UserRow | null> {
  return new Promise((resolve, reject) => {
    const middleware = passport.authenticate('local', { session: false }, (err: unknown, user: UserRow | false) =>
      err ? reject(err) : resolve(user || null),
    );
    middleware(req, res, reject as NextFunction);
  });
}

export function authRoutes(deps: AuthRouteDeps): Router {
  const { accounts, passport, session, cookie, secrets } = deps;
  const router = Router();
  const withSession = [session.load, passport.initialize()];

  route(router, '/register', {
    post: [
      ...withSession,
      handle(async (req, res) => {
        const body = parse(registerBodySchema, req.body);
        const result = await accounts.register(body);
        if (!result.ok && result.reason === 'email_taken') throw new ApiError('email_taken', 'An account with this email already exists');
        if (!result.ok) {
          const details = result.problems.map((p) => ({ path: 'password', code: `password_${p}`, message: PASSWORD_PROBLEM_MESSAGES[p] }));
          throw new ApiError('validation_failed', 'The request body is invalid', details);
        }
        await logIn(req, result.user);
        res.status(201).json({ user: toPublicUser(result.user) });
      }),
    ],
  });

  route(router, '/login', {
    post: [
      ...withSession,
      handle(async (req, res) => {
        // Validate first: passport-local would answer a missing field with its own bare
        // 400, outside the contract. After this, it only ever sees well-formed input.
        req.body = parse(loginBodySchema, req.body);
        const user = await authenticateLocal(passport, req, res);
        if (!user) throw invalidCredentials();
        await logIn(req, user); // regenerates: the pre-login session ID is dead
        res.status(200).json({ user: toPublicUser(user) });
      }),
    ],
  });

  route(router, '/logout', {
    post: [
      session.load,
      handle(async (req, res) => {
        // Only a request that carried a session cookie has anything to destroy; without
        // one, logout still succeeds (and needs no Redis).
        if (sessionIdFromHeader(req.headers.cookie, cookie.name, secrets)) {
          await new Promise<void>((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(err) : resolve())));
        }
        // express-session never clears the cookie itself. Same name and attributes, or
        // the browser keeps its copy.
        res.clearCookie(cookie.name, cookie.options);
        res.status(204).end();
      }),
    ],
  });

  return router;
}
