import type { Logger } from 'pino';
import { sessionCookieName } from '@cloakroom/shared';
import { accounts } from './accounts/accounts';
import { currentPasswordCheck } from './accounts/current-password';
import { emailVerification } from './accounts/email-verification';
import { accountMailer } from './accounts/mailer';
import { passwordChange } from './accounts/password-change';
import { passwordReset } from './accounts/password-reset';
import { userAdministration } from './admin/users';
import { attemptCounters } from './auth/attempts';
import { deviceTokens } from './auth/devices';
import type { PasswordHasher } from './auth/passwords/hasher';
import { QueueShares } from './auth/passwords/queue-shares';
import { sessionAuthenticator } from './auth/session/authenticate';
import { sessionReader } from './auth/session/read';
import type { SessionLimits } from './auth/session/record';
import { signOut } from './auth/session/sign-out';
import { HashedRedisStore } from './auth/session/store';
import { userSessions } from './auth/session/user-sessions';
import { pendingFailures } from './auth/pending-failures';
import { signIn } from './auth/sign-in';
import { userRecords } from './auth/user-records';
import type { Config } from './config/env';
import type { Db } from './db/connection';
import { rolesRepository } from './db/roles';
import { secondFactorsRepository } from './db/second-factors';
import { securityEventsRepository } from './db/security-events';
import { mailTokensRepository } from './db/mail-tokens';
import { usersRepository } from './db/users';
import { securityEvents } from './events/security-events';
import { mailOutbox } from './mail/outbox';
import { sealer } from './mail/seal';
import { createMailTransport } from './mail/transport';
import type { Redis } from './redis/client';
import { secondFactor } from './mfa/second-factor';
import { secretBox } from './mfa/secret-box';
import { redisKeys } from './redis/keys';
import { mailTokens } from './tokens/mail-tokens';
import { passkeysRepository } from './db/passkeys';
import { passkeyAssertion } from './passkeys/assertion';
import { challengeStore } from './passkeys/challenges';
import { passkeyManagement } from './passkeys/management';
import { passkeyRegistration } from './passkeys/registration';

/** What the app runs on, connected by main.ts (or by the test kit). */
export interface Infrastructure {
  config: Config;
  logger: Logger;
  redis: Redis;
  db: Db;
  /** PostgreSQL: one connection of its own for /readyz, outside the request pool, so a
   *  pool busy with slow requests does not read as a database that is down. */
  probeDb?: Db;
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
  const records = userRecords(redis, keys, users);
  const events = securityEvents(securityEventsRepository(db), logger);
  const maxPerUser = config.session.maxPerUser;
  const store = new HashedRedisStore(redis, keys, limits, {
    maxPerUser,
    // A new session beyond the cap ended older ones: the owner's audit trail says so.
    onEvicted: async (userId, handles) => {
      for (const session of handles)
        await events.record(userId, 'session_revoked', { ip: null, userAgent: null }, { reason: 'session_limit', limit: maxPerUser, session });
    },
  });
  const shares = new QueueShares(config.limits.hashQueue);
  const counters = attemptCounters(redis, keys, config.limits);
  const accountService = accounts(users, records, hasher, shares);
  const sessions = userSessions(store, events);
  const authenticate = sessionAuthenticator(records, store, limits);
  const cookieName = sessionCookieName(config.cookie.secure);
  // Mail: the outbox sends nothing until started (main.ts and the test kit start it).
  const outbox = mailOutbox({
    redis,
    keys,
    transport: createMailTransport(config.mail, logger),
    sealer: sealer(config.session.secrets),
    config: config.mail,
    logger,
  });
  const tokens = mailTokens(mailTokensRepository(db), config.tokens);
  const mailer = accountMailer({ outbox, tokens, appOrigin: config.appOrigin, ttls: config.tokens, logger });
  const passkeyDeps = { config: config.webauthn, passkeys: passkeysRepository(db), challenges: challengeStore(redis, keys), events };
  const secondFactors = secondFactorsRepository(db);
  const passkeyManager = passkeyManagement(passkeyDeps);
  return {
    keys,
    limits,
    users,
    /** The users' auth state in Redis: every write of it goes through `records.change`. */
    records,
    store,
    accounts: accountService,
    sessions,
    events,
    counters,
    devices: deviceTokens(config.session.secrets, config.deviceTrustMs),
    signIn: signIn({ counters, shares, events }),
    signOut: signOut(store, events),
    passwordChange: passwordChange({ users, records, hasher, sessions, events, counters, shares, tokens, mailer }),
    outbox,
    tokens,
    mailer,
    passwordReset: passwordReset({ users, records, hasher, sessions, events, tokens, mailer, logger }),
    emailVerification: emailVerification({ users, records, events, tokens, mailer, checkPassword: currentPasswordCheck({ hasher, counters, shares }) }),
    admin: userAdministration(users, rolesRepository(db), records, sessions, events),
    authenticate,
    /** Passkeys (WebAuthn): adding one, proving one, managing them. */
    passkeys: {
      registration: passkeyRegistration(passkeyDeps),
      assertion: passkeyAssertion(passkeyDeps),
      management: passkeyManager,
    },
    secondFactors,
    secondFactor: secondFactor({
      repo: secondFactors,
      records,
      box: config.mfa.encryptionKeys.length ? secretBox(config.mfa.encryptionKeys) : null,
      events,
      issuer: config.mfa.issuer,
      requiredForRoles: config.mfa.requiredForRoles,
      hasPasskey: passkeyManager.has,
    }),
    pendingFailures: pendingFailures(redis, keys),
    /** The session cookie's name (its attributes are the HTTP layer's). */
    cookieName,
    readSession: sessionReader(authenticate, store, records, cookieName, config.session.secrets),
  };
}

export type Services = ReturnType<typeof createServices>;
