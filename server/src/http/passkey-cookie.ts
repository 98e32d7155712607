import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { passkeyChallengeCookieName } from '@cloakroom/shared';
import { cookieValues } from '../auth/session/cookie-header';
import { CHALLENGE_TTL_SECONDS } from '../passkeys/challenges';
import type { SessionCookie } from './session-cookie';

/**
 * The passkey sign-in cookie: before a sign-in there is no session to bind a challenge to,
 * so the options answer gives the browser a random value (HttpOnly, the session cookie's
 * SameSite and Secure, 5 minutes) and the challenge is kept under its hash. The answer is
 * checked against the challenge of the browser that sends it, and no other: a challenge
 * fetched elsewhere (say, by a phishing page's server) is worth nothing here.
 */
export function passkeyChallengeCookie(session: SessionCookie) {
  const name = passkeyChallengeCookieName(session.options.secure === true);
  const options = { ...session.options, maxAge: CHALLENGE_TTL_SECONDS * 1000 };
  const bindingOf = (value: string) => createHash('sha256').update(value).digest('base64url');

  return {
    name,
    /** Sets a fresh cookie on this answer; returns the binding to keep the challenge under. */
    issue(res: Response): string {
      const value = randomBytes(32).toString('base64url');
      res.cookie(name, value, options);
      return bindingOf(value);
    },
    /** The binding this request's cookie names (null without exactly one), and the cookie
     *  cleared: it serves one answer. */
    take(req: Request, res: Response): string | null {
      const values = cookieValues(req.headers.cookie, name);
      if (values.length === 0) return null;
      res.clearCookie(name, session.options);
      return values.length === 1 && values[0] ? bindingOf(values[0]) : null;
    },
  };
}

export type PasskeyChallengeCookie = ReturnType<typeof passkeyChallengeCookie>;
