import { z } from 'zod';

/** Brute-force and abuse limits (ASVS 6.3.1, 2.4.1). docs/security.md ("Brute force")
 *  explains how they fit together; the defaults are chosen so that one address can
 *  never reach the per-account ceiling on its own (see `accountCeilingReachableFromOneIp`). */

const count = (fallback: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).positive({ error: 'must be positive' }).default(fallback);
const seconds = (fallback: number) =>
  z.coerce.number({ error: 'must be a number of seconds' }).positive({ error: 'must be a positive number of seconds' }).default(fallback);

export const limitsEnvShape = {
  /** Wrong-password answers per client address (all accounts together). */
  LOGIN_IP_LIMIT: count(100),
  LOGIN_IP_WINDOW: seconds(900),
  /** Wrong-password answers per account (all addresses together): the overall ceiling. */
  LOGIN_ACCOUNT_LIMIT: count(30),
  LOGIN_ACCOUNT_WINDOW: seconds(900),
  /** Consecutive failed attempts on one account from one address before it is locked. */
  LOCKOUT_THRESHOLD: count(5),
  /** The first lock; every further failure doubles it, up to the maximum. */
  LOCKOUT_BASE_DELAY: seconds(60),
  LOCKOUT_MAX_DELAY: seconds(900),
  /** Failures are forgotten after this long without a new attempt. */
  LOCKOUT_WINDOW: seconds(3600),
  /** Sign-ups per client address. */
  REGISTER_IP_LIMIT: count(20),
  REGISTER_IP_WINDOW: seconds(3600),
  /** Password changes refused for a wrong current password, per user. */
  PASSWORD_CHANGE_LIMIT: count(5),
  PASSWORD_CHANGE_WINDOW: seconds(900),
  /** Password reset requests per client address, and per email address (known or not,
   *  counted alike so the limit tells nothing about which addresses have accounts). */
  FORGOT_IP_LIMIT: count(20),
  FORGOT_IP_WINDOW: seconds(3600),
  FORGOT_EMAIL_LIMIT: count(5),
  FORGOT_EMAIL_WINDOW: seconds(3600),
  /** Token redemptions (reset, verify) per client address: tokens cannot be guessed, but
   *  nobody needs hundreds of tries. */
  TOKEN_IP_LIMIT: count(60),
  TOKEN_IP_WINDOW: seconds(900),
  /** Verification links resent per user. */
  VERIFY_RESEND_LIMIT: count(5),
  VERIFY_RESEND_WINDOW: seconds(3600),
  /** Email changes per user (each mails two messages), counted whatever their outcome. */
  EMAIL_CHANGE_LIMIT: count(5),
  EMAIL_CHANGE_WINDOW: seconds(3600),
  /** Password verifications of any outcome (sign-ins and password changes, right or
   *  wrong) per account, and per client address: the budget of argon2 work. */
  PASSWORD_CHECK_ACCOUNT_LIMIT: count(60),
  PASSWORD_CHECK_ACCOUNT_WINDOW: seconds(900),
  PASSWORD_CHECK_IP_LIMIT: count(300),
  PASSWORD_CHECK_IP_WINDOW: seconds(900),
  /** Password hashes one account, and one client address, may have queued at once (per
   *  API process). */
  HASH_QUEUE_PER_ACCOUNT: count(2),
  HASH_QUEUE_PER_IP: count(4),
};

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface LockoutPolicy {
  threshold: number;
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
}

export interface Limits {
  loginIp: RateLimit;
  loginAccount: RateLimit;
  register: RateLimit;
  passwordChange: RateLimit;
  forgotIp: RateLimit;
  forgotEmail: RateLimit;
  tokenIp: RateLimit;
  verifyResend: RateLimit;
  emailChange: RateLimit;
  lockout: LockoutPolicy;
  passwordChecksAccount: RateLimit;
  passwordChecksIp: RateLimit;
  hashQueue: { perAccount: number; perAddress: number };
}

type LimitsEnv = { [K in keyof typeof limitsEnvShape]: number };

export function limitsFromEnv(e: LimitsEnv): Limits {
  const ms = (s: number) => Math.round(s * 1000);
  return {
    loginIp: { limit: e.LOGIN_IP_LIMIT, windowMs: ms(e.LOGIN_IP_WINDOW) },
    loginAccount: { limit: e.LOGIN_ACCOUNT_LIMIT, windowMs: ms(e.LOGIN_ACCOUNT_WINDOW) },
    register: { limit: e.REGISTER_IP_LIMIT, windowMs: ms(e.REGISTER_IP_WINDOW) },
    passwordChange: { limit: e.PASSWORD_CHANGE_LIMIT, windowMs: ms(e.PASSWORD_CHANGE_WINDOW) },
    forgotIp: { limit: e.FORGOT_IP_LIMIT, windowMs: ms(e.FORGOT_IP_WINDOW) },
    forgotEmail: { limit: e.FORGOT_EMAIL_LIMIT, windowMs: ms(e.FORGOT_EMAIL_WINDOW) },
    tokenIp: { limit: e.TOKEN_IP_LIMIT, windowMs: ms(e.TOKEN_IP_WINDOW) },
    verifyResend: { limit: e.VERIFY_RESEND_LIMIT, windowMs: ms(e.VERIFY_RESEND_WINDOW) },
    emailChange: { limit: e.EMAIL_CHANGE_LIMIT, windowMs: ms(e.EMAIL_CHANGE_WINDOW) },
    passwordChecksAccount: { limit: e.PASSWORD_CHECK_ACCOUNT_LIMIT, windowMs: ms(e.PASSWORD_CHECK_ACCOUNT_WINDOW) },
    passwordChecksIp: { limit: e.PASSWORD_CHECK_IP_LIMIT, windowMs: ms(e.PASSWORD_CHECK_IP_WINDOW) },
    hashQueue: { perAccount: e.HASH_QUEUE_PER_ACCOUNT, perAddress: e.HASH_QUEUE_PER_IP },
    lockout: {
      threshold: e.LOCKOUT_THRESHOLD,
      baseDelayMs: ms(e.LOCKOUT_BASE_DELAY),
      maxDelayMs: Math.max(ms(e.LOCKOUT_MAX_DELAY), ms(e.LOCKOUT_BASE_DELAY)),
      // Failures must be remembered at least as long as the longest lock, or the
      // backoff would reset itself while the attacker waits.
      windowMs: Math.max(ms(e.LOCKOUT_WINDOW), ms(e.LOCKOUT_MAX_DELAY)),
    },
  };
}

/** How long the lock is after the n-th consecutive failed attempt (0 below the threshold). */
export function lockDelayMs(policy: LockoutPolicy, attempts: number): number {
  if (attempts < policy.threshold) return 0;
  return Math.min(policy.baseDelayMs * 2 ** (attempts - policy.threshold), policy.maxDelayMs);
}

/** The most attempts one address can make on one account within a ceiling window:
 *  `threshold` at once, then one per lock. When this reaches the per-account ceiling,
 *  a single address could lock everyone out of an account; the config warns. */
export function attemptsFromOneIp(policy: LockoutPolicy, windowMs: number): number {
  let attempts = policy.threshold;
  let elapsed = lockDelayMs(policy, attempts);
  while (elapsed < windowMs && attempts < 10_000) {
    attempts++;
    elapsed += lockDelayMs(policy, attempts);
  }
  return attempts;
}

export function accountCeilingReachableFromOneIp(limits: Limits): boolean {
  return attemptsFromOneIp(limits.lockout, limits.loginAccount.windowMs) >= limits.loginAccount.limit;
}
