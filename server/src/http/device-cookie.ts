import type { Request, Response } from 'express';
import { deviceCookieName } from '@cloakroom/shared';
import type { DeviceTokens } from '../auth/devices';
import { cookieValues } from '../auth/session/cookie-header';
import type { SessionCookie } from './session-cookie';

/** The device cookie (auth/devices.ts) on the wire: HttpOnly, with the session cookie's
 *  SameSite and Secure (and so `__Host-` whenever Secure), kept for as long as the
 *  browser stays known. It outlives sign-outs on purpose: that is what makes the
 *  browser known the next time. */
export function deviceCookie(tokens: DeviceTokens, session: SessionCookie, trustMs: number) {
  const name = deviceCookieName(session.options.secure === true);
  const options = { ...session.options, maxAge: trustMs };

  /** Only a single cookie of the name counts (several mean someone planted one). */
  const read = (req: Request): string | undefined => {
    const values = cookieValues(req.headers.cookie, name);
    return values.length === 1 ? values[0] : undefined;
  };

  return {
    name,
    /** This browser's device id for `email`, or null when it is not known to the account. */
    recognise: (req: Request, email: string): string | null => tokens.recognise(read(req), email),
    /** For an answer that signs in to `email`: the browser is known to it from now on.
     *  The cookie is added when the headers go out, and only to a successful answer.
     *  Called before the session starts, its hook runs after express-session's (the
     *  later hook runs first), so the session cookie stays the answer's first Set-Cookie,
     *  the one a simple client takes. */
    rememberOnSuccess(req: Request, res: Response, email: string): void {
      const value = tokens.issue(read(req), email);
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
      res.writeHead = ((...args: unknown[]) => {
        // A Secure cookie over plain HTTP would be dropped by the browser: not sent, as
        // express-session does with the session cookie.
        if (res.statusCode < 400 && (!options.secure || req.secure)) res.cookie(name, value, options);
        return writeHead(...args);
      }) as Response['writeHead'];
    },
  };
}

export type DeviceCookie = ReturnType<typeof deviceCookie>;
