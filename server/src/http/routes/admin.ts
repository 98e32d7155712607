import { adminUsersQuerySchema, roleUpdateBodySchema, userIdSchema, type AdminUsersResponse, type RevokedResponse, type UserResponse } from '@cloakroom/shared';
import { Router, type Request } from 'express';
import { toPublicUser } from '../../accounts/public-user';
import type { UserAdministration } from '../../admin/users';
import { clientContext } from '../client-context';
import { ApiError, notFound } from '../errors';
import type { SessionHttp } from '../middleware/session';
import { requireRole } from '../middleware/require-role';
import { parse } from '../validate';
import { handle, route } from './route';

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
function targetId(req: Request): string {
  const id = userIdSchema.safeParse(req.params.id);
  if (!id.success) throw userNotFound();
  return id.data;
}

/** /api/admin: users (cursor pages, email-prefix search), role changes, ending a user's
 *  sessions. Signed-out callers get 401, signed-in non-admins 403, judged by the role
 *  the database holds at this request. */
export function adminRoutes(deps: { session: SessionHttp; admin: UserAdministration }): Router {
  const { session, admin } = deps;
  const router = Router();
  const asAdmin = [session.load, session.requireAuth, requireRole('admin')];

  route(router, '/users', {
    get: [
      session.readAuth,
      requireRole('admin'),
      handle(async (req, res) => {
        const query = parse(adminUsersQuerySchema, req.query, 'query string');
        // An empty cursor (`?cursor=`) means the first page, like none at all.
        const page = await admin.list({ limit: query.limit, after: query.cursor ? decodeCursor(query.cursor) : undefined, emailPrefix: query.email });
        const body: AdminUsersResponse = { users: page.users.map(toPublicUser), nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) };
        res.json(body);
      }),
    ],
  });

  route(router, '/users/:id', {
    patch: [
      ...asAdmin,
      handle(async (req, res) => {
        const { role } = parse(roleUpdateBodySchema, req.body);
        const result = await admin.changeRole(req.auth!.user.id, targetId(req), role, clientContext(req));
        if (!result.ok && result.reason === 'not_found') throw userNotFound();
        if (!result.ok) throw new ApiError('last_admin', 'This is the last admin: make someone else an admin first');
        const body: UserResponse = { user: toPublicUser(result.user) };
        res.json(body);
      }),
    ],
  });

  route(router, '/users/:id/sessions', {
    delete: [
      ...asAdmin,
      handle(async (req, res) => {
        const result = await admin.endSessions(req.auth!.user, targetId(req), clientContext(req), req.auth!.handle);
        if (!result.ok) throw userNotFound();
        const body: RevokedResponse = { revoked: result.revoked };
        res.json(body);
      }),
    ],
  });

  return router;
}
