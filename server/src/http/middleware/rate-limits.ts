import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { emailSchema } from '@cloakroom/shared';
import type { Limits, RateLimit } from '../../config/limits';
import type { Redis } from '../../redis/client';
import type { RedisKeys } from '../../redis/keys';
import { tooManyAttempts } from '../errors';

/** The client address a limit counts: what TRUST_PROXY lets Express believe (a spoofed
 *  X-Forwarded-For from an untrusted peer is ignored), with an IPv6 client counted by
 *  its /56, since one such client owns the whole block. */
export function clientAddressKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/** The account a login names, hashed: no email appears in a Redis key, and glob or
 *  control characters in the input cannot shape one. Undefined for a malformed email
 *  (the route answers 400 for it without checking any password). */
function loginAccountKey(req: Request): string | undefined {
  const email = emailSchema.safeParse((req.body as { email?: unknown } | undefined)?.email);
  return email.success ? createHash('sha256').update(email.data).digest('base64url') : undefined;
}

interface LimiterSpec {
  name: string;
  rate: RateLimit;
  key: (req: Request) => string | undefined;
  /** Which answers use up the allowance; without it every request does. */
  counts?: (res: Response) => boolean;
}

/** Rate limits kept in Redis, shared by every instance (express-rate-limit with
 *  rate-limit-redis). Over the limit: 429 too_many_attempts with Retry-After, in the
 *  contract's error shape. If Redis fails, the request fails (503), never unlimited. */
export function rateLimits(redis: Redis, keys: RedisKeys, limits: Limits, logger: Logger) {
  // The store fails only when Redis does (the request then gets 503): a warning in the
  // app's own log, not express-rate-limit's console.error.
  const storeLog = (err: unknown, message?: string) =>
    logger.warn({ reason: err instanceof Error ? err.message : String(err) }, message ?? 'rate-limit store error');

  function limiter({ name, rate, key, counts }: LimiterSpec): RequestHandler {
    return rateLimit({
      windowMs: rate.windowMs,
      limit: rate.limit,
      store: new RedisStore({ sendCommand: (...args: string[]) => redis.sendCommand(args), prefix: keys.rateLimit(name) }),
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

  // Only wrong-credential answers (401) use up the login allowances: a lockout refusal
  // or a 429 does not, so an attacker hammering a locked pair cannot push the account
  // towards its ceiling, and neither does a user who signs in successfully.
  const wrongCredentials = (res: Response) => res.statusCode === 401;

  return {
    login: [
      limiter({ name: 'login-ip', rate: limits.loginIp, key: clientAddressKey, counts: wrongCredentials }),
      limiter({ name: 'login-account', rate: limits.loginAccount, key: loginAccountKey, counts: wrongCredentials }),
    ],
    register: [limiter({ name: 'register-ip', rate: limits.register, key: clientAddressKey })],
    /** After requireAuth: counts wrong current passwords of the signed-in user. */
    passwordChange: [limiter({ name: 'password-change', rate: limits.passwordChange, key: (req) => req.auth?.user.id, counts: wrongCredentials })],
  };
}

export type RateLimits = ReturnType<typeof rateLimits>;
