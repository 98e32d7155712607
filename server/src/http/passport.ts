import type { Request } from 'express';
import { Strategy as LocalStrategy } from 'passport-local';
import type { LoginBody } from '@cloakroom/shared';
import type { Accounts, CredentialCheck } from '../accounts/accounts';

/** The outcome actions passport attaches to a strategy for one request. */
type Actions = Pick<LocalStrategy, 'success' | 'fail' | 'error'>;

/**
 * passport-local as the credential strategy, on a straight path. The strategy's verify
 * function is `accounts.checkCredentials`; it is run the way passport.authenticate runs
 * a strategy for each request (a per-call instance with its outcome actions attached),
 * on credentials the shared schema has already validated, and its outcome settles one
 * promise. Nothing else of passport is involved: no session manager (the session is
 * started once by http/session-start.ts), no serializeUser, no req.login, and the
 * request's own body is left as it came.
 */
export function localCredentials(accounts: Accounts): (credentials: LoginBody) => Promise<CredentialCheck> {
  const strategy = new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: false }, (email, password, done) => {
    accounts.checkCredentials(email, password).then(
      // The whole check travels as the strategy's info: on a wrong password it names the
      // account tried (for the audit trail only).
      (check) => done(null, check.user ?? false, check as never),
      (err: unknown) => done(err),
    );
  });

  return (credentials) =>
    new Promise<CredentialCheck>((resolve, reject) => {
      const actions: Actions = {
        success: (_user: unknown, info?: unknown) => resolve(info as CredentialCheck),
        fail: (challenge?: unknown, status?: number) =>
          // 400 is passport-local's "missing credentials", which validation rules out.
          status === 400 ? reject(new Error('passport-local found no credentials')) : resolve(challenge as CredentialCheck),
        error: reject,
      };
      const run = Object.assign(Object.create(strategy) as LocalStrategy, actions);
      run.authenticate({ body: credentials, query: {} } as Request);
    });
}
