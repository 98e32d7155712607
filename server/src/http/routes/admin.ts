import { userIdSchema, type AdminUsersResponse, type RevokedResponse, type UserResponse } from '@cloakroom/shared';
import { toPublicUser } from '../../accounts/public-user';
import type { UserAdministration } from '../../admin/users';
import { clientContext } from '../client-context';
import { ApiError, notFound } from '../errors';
import { routeHandlers } from './mount';

/** Cursors are opaque to clients: the last email of a page, base64url-encoded. */
const encodeCursor = (email: string) => Buffer.from(email, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const email = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(email) !== cursor) {
    throw new ApiError('validation_failed', 'The query string is invalid', [
      { path: 'cursor', code: 'invalid_cursor', message: 'Use the nextCursor of a previous page' },
    ]);
  }
  return email;
}

const userNotFound = () => notFound('That user');

/** The user id in the path; a malformed one names no user (404, like an unknown one). */
function targetId(params: { id: string }): string {
  const id = userIdSchema.safeParse(params.id);
  if (!id.success) throw userNotFound();
  return id.data;
}

/** /api/admin: users (cursor pages, email-prefix search), role changes, ending a user's
 *  sessions. Signed-out callers get 401, signed-in non-admins 403, judged by the role
 *  the database holds at this request. */
export function adminHandlers(deps: { admin: UserAdministration }) {
  const { admin } = deps;

  return routeHandlers({
    listUsers: {
      async handle({ query }, _req, res) {
        // An empty cursor (`?cursor=`) means the first page, like none at all.
        const page = await admin.list({ limit: query.limit, after: query.cursor ? decodeCursor(query.cursor) : undefined, emailPrefix: query.email });
        const body: AdminUsersResponse = { users: page.users.map(toPublicUser), nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) };
        res.json(body);
      },
    },

    changeUserRole: {
      async handle({ auth, body: { role }, params }, req, res) {
        const result = await admin.changeRole(auth.user.id, targetId(params), role, clientContext(req));
        if (!result.ok && result.reason === 'not_found') throw userNotFound();
        if (!result.ok) throw new ApiError('last_admin', 'This is the last admin: make someone else an admin first');
        const body: UserResponse = { user: toPublicUser(result.user) };
        res.json(body);
      },
    },

    revokeUserSessions: {
      async handle({ auth, params }, req, res) {
        const result = await admin.endSessions(auth.user, targetId(params), clientContext(req), auth.handle);
        if (!result.ok) throw userNotFound();
        const body: RevokedResponse = { revoked: result.revoked };
        res.json(body);
      },
    },
  });
}
