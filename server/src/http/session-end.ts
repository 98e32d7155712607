import type { Request, Response } from 'express';
import { HEADERS } from '@cloakroom/shared';
import type { SessionCookie } from './session-cookie';

/** Clears the session cookie with the attributes it was set with (express-session never
 *  clears it itself, and a cookie cleared with other attributes stays in the browser),
 *  and tells the browser to drop what it cached or stored for the signed-in user
 *  (ASVS 14.3.1). */
export function clearSessionCookie(res: Response, cookie: SessionCookie): void {
  res.clearCookie(cookie.name, cookie.options);
  res.setHeader(HEADERS.clearSiteData, '"cache", "storage"');
}

/** After the domain ended the caller's own session: express-session, if it ran, must
 *  neither save it again nor destroy it again at the end of the response, and the
 *  cookie goes. */
export function endedCurrentSession(req: Request, res: Response, cookie: SessionCookie): void {
  delete (req as { session?: unknown }).session;
  clearSessionCookie(res, cookie);
}
