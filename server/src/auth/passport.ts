import type { Request } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy, type IVerifyOptions } from 'passport-local';
import type { Accounts } from '../accounts/accounts';
import type { UserRow } from '../db/users';
import { clientContext } from './client-context';
import type { SessionLimits, SessionMeta, StoredSession } from './session/record';
import { markNewSession } from './session/store';

/** A passport instance of our own (not the global singleton, so several apps can live
 *  in one process, as in tests). Only the local strategy and login are used from it:
 *  reading the session back is Cloakroom's own, see http/middleware/authenticate.ts. */
export type PassportInstance = InstanceType<typeof Passport>;

export function createPassport(accounts: Accounts, limits: SessionLimits): PassportInstance {
  const passport = new Passport();

  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: true }, (email, password, done) => {
      accounts.checkCredentials(email, password).then(
        // The info names the account a wrong password was tried on (audit trail only).
        (check) => done(null, check.user ?? false, { message: 'Incorrect email or password', knownUserId: check.knownUserId } as IVerifyOptions),
        (err: unknown) => done(err),
      );
    }),
  );

  // Runs inside req.login(), right after passport regenerated the session (so a
  // pre-login session ID is dead), and before passport saves it: the one moment to
  // stamp the new session's start, device and lifetime into the same single write.
  passport.serializeUser((req: Request, user: Express.User, done: (err: unknown, id?: string) => void) => {
    const now = Date.now();
    const meta: SessionMeta = { createdAt: now, lastSeenAt: now, ...clientContext(req) };
    (req.session as unknown as StoredSession).meta = meta;
    req.session.cookie.expires = new Date(now + limits.absoluteTimeoutMs);
    markNewSession(req.session);
    done(null, (user as UserRow).id);
  });

  return passport;
}

/** req.login as a promise. */
export function logIn(req: Request, user: UserRow): Promise<void> {
  return new Promise((resolve, reject) => req.login(user, (err: unknown) => (err ? reject(err) : resolve())));
}
