import type { PublicUser } from '@cloakroom/shared';
import type { UserRow } from '../db/users';

/** The only view of a user that leaves the server: never the hash, never internal times. */
export function toPublicUser(user: Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'createdAt' | 'emailVerifiedAt'>): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    createdAt: new Date(user.createdAt).toISOString(),
    emailVerified: user.emailVerifiedAt !== null,
  };
}
