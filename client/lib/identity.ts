import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { IDENTITY_HEADERS, signInUrl } from '@cloakroom/shared';
import { identityKey } from './identity-key';
import { verifyIdentity, type Identity } from './identity-token';

export type { Identity };

/** The signed-in user of this request, as the proxy vouched for it on `path`; null when
 *  the headers are missing, forged, expired or minted for another page. Pages, layouts,
 *  route handlers and server actions call this instead of reading headers, so a request
 *  that reached them without passing the proxy finds nobody. */
export const currentUser = cache(async (path: string): Promise<Identity | null> => {
  const h = await headers();
  const result = verifyIdentity(identityKey(), h.get(IDENTITY_HEADERS.user), h.get(IDENTITY_HEADERS.signature), path);
  return result.ok ? result.user : null;
});

/** For pages behind sign-in: the user, or a redirect to the sign-in page. */
export async function requireUser(path: string): Promise<Identity> {
  const user = await currentUser(path);
  if (!user) redirect(signInUrl(path));
  return user;
}
