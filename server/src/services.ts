import type { Logger } from 'pino';
import { accounts } from './accounts/accounts';
import { passwordChange } from './accounts/password-change';
import { sessionManagement } from './accounts/session-management';
import { userAdministration } from './admin/users';
import { loginLockout } from './auth/lockout';
import { createPassport } from './auth/passport';
import type { PasswordHasher } from './auth/passwords/hasher';
import { sessionAuthenticator } from './auth/session/authenticate';
import { sessionReader } from './auth/session/read';
import { sessionCookie } from './auth/session/cookie';
import type { SessionLimits } from './auth/session/record';
import { HashedRedisStore } from './auth/session/store';
import { userSessions } from './auth/session/user-sessions';
import { signIn } from './auth/sign-in';
import type { Config } from './config/env';
import type { Db } from './db/connection';
import { rolesRepository } from './db/roles';
import { securityEventsRepository } from './db/security-events';
import { usersRepository } from './db/users';
import { securityEvents } from './events/security-events';
import type { Redis } from './redis/client';
import { redisKeys } from './redis/keys';

/** What the app runs on, connected by main.ts (or by the test kit). */
export interface Infrastructure {
  config: Config;
  logger: Logger;
  redis: Redis;
  db: Db;
  hasher: PasswordHasher;
}

/** The domain, wired once from the infrastructure. Nothing here knows about HTTP. */
export function createServices(infra: Infrastructure) {
  const { config, redis, db, hasher, logger } = infra;
  const keys = redisKeys(config.redis.prefix);
  const limits: SessionLimits = {
    idleTimeoutMs: config.session.idleTimeoutMs,
    absoluteTimeoutMs: config.session.absoluteTimeoutMs,
    touchIntervalMs: config.session.touchIntervalMs,
  };
  const users = usersRepository(db);
  const store = new HashedRedisStore(redis, keys, limits);
  const accountService = accounts(users, hasher);
  const sessions = userSessions(store);
  const events = securityEvents(securityEventsRepository(db), logger);
  const lockout = loginLockout(redis, keys, config.limits.lockout);
  const authenticate = sessionAuthenticator(users, store, limits);
  const cookie = sessionCookie(config);
  return {
    keys,
    limits,
    users,
    store,
    accounts: accountService,
    sessions,
    events,
    lockout,
    signIn: signIn(lockout, events),
    sessionManagement: sessionManagement(sessions, events),
    passwordChange: passwordChange(users, hasher, sessions, events),
    admin: userAdministration(users, rolesRepository(db), sessions, events),
    authenticate,
    readSession: sessionReader(authenticate, store, cookie.name, config.session.secrets),
    passport: createPassport(accountService, limits),
    cookie,
  };
}

export type Services = ReturnType<typeof createServices>;
