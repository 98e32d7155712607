import { PAGES } from '@cloakroom/shared';
import { canonicalPath } from './identity-token';

export type Access = 'public' | 'session' | 'admin';

/** Pages anyone may open. Everything else needs a session; /admin and below need role
 *  admin. Paths are compared the way Next matches routes (decoded, any case). */
const PUBLIC = new Set<string>([PAGES.home, PAGES.login, PAGES.register, PAGES.forgotPassword, PAGES.resetPassword, PAGES.verifyEmail]);
/** Public pages that a signed-in visitor has no use for. */
export const SIGN_IN_PAGES = new Set<string>([PAGES.login, PAGES.register]);

export function accessFor(pathname: string): Access {
  const path = canonicalPath(pathname);
  if (PUBLIC.has(path)) return 'public';
  if (path === PAGES.admin || path.startsWith(`${PAGES.admin}/`)) return 'admin';
  return 'session';
}
