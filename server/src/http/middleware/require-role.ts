import type { RequestHandler } from 'express';
import type { Role } from '@cloakroom/shared';
import { forbidden } from '../errors';

/** After readAuth/requireAuth, which read the user row fresh on this very request: a
 *  role granted or taken away applies to the next request, on every instance. */
export function requireRole(role: Role): RequestHandler {
  return (req, _res, next) => next(req.auth?.user.role === role ? undefined : forbidden());
}
