import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import type { Limits, RateLimit } from '../../config/limits';
import { sendRaw, type Redis } from '../../redis/client';
import type { RedisKeys } from '../../redis/keys';
import { accountKey } from '../../auth/sign-in';
import { clientAddressKey } from '../client-context';
import { tooManyAttempts } from '../errors';

interface LimiterSpec {
  name: string;
  rate: RateLimit;
  key: (req: Request) => string | undefined;
  /** Which answers use up the allowance; without it every request does. */
  counts?: (res: Response) => boolean;
}

/** Rate limits kept in Redis, shared by every instance (express-rate-limit with
 *  rate-limit-redis). Over the limit: 429 too_many_attempts with Retry-After, in the
 *  contract's error shape. If Redis fails, the request fails (503), never unlimited.
 *  Sign-in's limits are not here: they are counted with its lockout in one script, by
 *  the domain (auth/attempts.ts), which also knows a browser the account has seen. */
export function rateLimits(redis: Redis, keys: RedisKeys, limits: Limits, logger: Logger) {
  // The store fails only when Redis does (the request then gets 503): a warning in the
  // app's own log, not express-rate-limit's console.error.
  const storeLog = (err: unknown, message?: string) =>
    logger.warn({ reason: err instanceof Error ? err.message : String(err) }, message ?? 'rate-limit store error');

  function limiter({ name, rate, key, counts }: LimiterSpec): RequestHandler {
    return rateLimit({
      windowMs: rate.windowMs,
      limit: rate.limit,
      // Each command names its key, so on a Cluster it goes to that key's node (and a
      // script it loads there after NOSCRIPT is run there).
      store: new RedisStore({
        sendCommandCluster: ({ key, isReadOnly, command }) => sendRaw(redis, key, command, isReadOnly) as never,
        prefix: keys.rateLimit(name),
      }),
      skip: (req) => key(req) === undefined,
      keyGenerator: (req) => key(req)!,
      ...(counts ? { skipSuccessfulRequests: true, requestWasSuccessful: (_req: Request, res: Response) => !counts(res) } : {}),
      standardHeaders: false,
      legacyHeaders: false,
      passOnStoreError: false,
      logger: { warn: storeLog, error: storeLog },
      // TRUST_PROXY is validated by the config; an X-Forwarded-For it does not trust is
      // ignored on purpose, not a misconfiguration worth a console warning.
      validate: { xForwardedForHeader: false },
      handler: (req, _res, next) => {
        const reset = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime?.getTime() ?? Date.now() + rate.windowMs;
        next(tooManyAttempts(reset - Date.now()));
      },
    });
  }

  const wrongCredentials = (res: Response) => res.statusCode === 401;
  // Read before the body is validated: the same normalisation as the schema's, so
  // "Ann@x " and "ann@x" share a count; a body without one is refused by validation.
  const emailOfBody = (req: Request) => {
    const email = (req.body as { email?: unknown } | undefined)?.email;
    return typeof email === 'string' ? accountKey(email.trim().toLowerCase()) : undefined;
  };
  const byUser = (req: Request) => req.auth?.user.id;

  return {
    register: [limiter({ name: 'register-ip', rate: limits.register, key: clientAddressKey })],
    /** Passkey sign-in, options and answers alike, per client address. */
    passkeyLogin: [limiter({ name: 'passkey-login-ip', rate: limits.passkeyLogin, key: clientAddressKey })],
    /** After requireAuth: counts wrong current passwords of the signed-in user. */
    passwordChange: [limiter({ name: 'password-change', rate: limits.passwordChange, key: byUser, counts: wrongCredentials })],
    /** Per address and per email (hashed), before anything is looked up: a known and an
     *  unknown address are counted, and refused, alike. */
    forgotPassword: [
      limiter({ name: 'forgot-ip', rate: limits.forgotIp, key: clientAddressKey }),
      limiter({ name: 'forgot-email', rate: limits.forgotEmail, key: emailOfBody }),
    ],
    /** Redeeming a mailed token (reset, verify), per client address. */
    tokens: [limiter({ name: 'token-ip', rate: limits.tokenIp, key: clientAddressKey })],
    verifyResend: [limiter({ name: 'verify-resend', rate: limits.verifyResend, key: byUser })],
    /** After requireAuth: every email change request of the user, whatever its outcome
     *  (each mails two addresses), plus wrong current passwords like password change. */
    emailChange: [
      limiter({ name: 'email-change', rate: limits.emailChange, key: byUser }),
      limiter({ name: 'email-change-password', rate: limits.passwordChange, key: byUser, counts: wrongCredentials }),
    ],
  };
}

export type RateLimits = ReturnType<typeof rateLimits>;
