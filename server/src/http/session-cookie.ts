import type { CookieOptions } from 'express';
import { sessionCookieName } from '@cloakroom/shared';
import type { Config } from '../config/env';

export interface SessionCookie {
  name: string;
  /** Attributes for setting the cookie; clearing uses the same ones so the browser
   *  matches and drops it. */
  options: CookieOptions & { sameSite: 'lax' | 'strict' | 'none' };
}

/** HttpOnly, Path=/, no Domain (host-only), SameSite from config, Secure when
 *  configured; the `__Host-` name whenever Secure. */
export function sessionCookie(config: Pick<Config, 'cookie'>): SessionCookie {
  return {
    name: sessionCookieName(config.cookie.secure),
    options: {
      httpOnly: true,
      path: '/',
      sameSite: config.cookie.sameSite,
      secure: config.cookie.secure,
    },
  };
}
