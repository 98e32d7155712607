import type { Request, Response } from 'express';
import { HEADERS } from '@cloakroom/shared';
import type { SessionCookie } from '../auth/session/cookie';

/** Clears the session cookie with the attributes it was set with (express-session never
 *  clears it itself, and a cookie cleared with other attributes stays in the browser),
 *  and tells the browser to drop what it cached or stored for the signed-in user
 *  (ASVS 14.3.1). */
export function clearSessionCookie(res: Response, cookie: SessionCookie): void {
  res.clearCookie(cookie.name, cookie.options);
  res.setHeader(HEADERS.clearSiteData, '"cache", "storage"');
}

/** Ends the caller's own session in this response: the record goes (so express-session
 *  neither saves it nor sets its cookie again), then the cookie. */
export async function endCurrentSession(req: Request, res: Response, cookie: SessionCookie): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(err) : resolve())));
  clearSessionCookie(res, cookie);
}
