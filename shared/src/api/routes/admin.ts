import { adminUsersQuerySchema, adminUsersResponseSchema, revokedResponseSchema, roleUpdateBodySchema, userResponseSchema } from '../../schemas';
import { defineRoute } from '../route';

const userId = 'The user id (a UUID). Any other value names no user: 404.';

/** Administration: role admin, judged by the role the database holds at this request. */
export const adminRoutes = {
  listUsers: defineRoute({
    method: 'get',
    path: '/api/admin/users',
    access: 'admin',
    changesState: false,
    tag: 'Administration',
    summary: 'List users',
    description: 'Users by email, a page at a time: pass the `nextCursor` of one page as `cursor` for the next. `email` filters by a case-insensitive prefix.',
    query: adminUsersQuerySchema,
    responses: { 200: { description: 'One page of users.', body: adminUsersResponseSchema } },
    errors: [],
  }),
  changeUserRole: defineRoute({
    method: 'patch',
    path: '/api/admin/users/:id',
    access: 'admin',
    changesState: true,
    recentAuth: true,
    tag: 'Administration',
    summary: "Change a user's role",
    description: "Takes effect on that user's very next request, on every instance. The last admin cannot be demoted (409 last_admin).",
    params: { id: userId },
    body: roleUpdateBodySchema,
    responses: { 200: { description: 'The user with the new role.', body: userResponseSchema } },
    errors: ['not_found', 'last_admin'],
  }),
  revokeUserSessions: defineRoute({
    method: 'delete',
    path: '/api/admin/users/:id/sessions',
    access: 'admin',
    changesState: true,
    recentAuth: true,
    tag: 'Administration',
    summary: "End a user's sessions",
    description: "Ends every session of the user (the admin's own current session survives when the user is the admin).",
    params: { id: userId },
    responses: { 200: { description: 'How many sessions were ended.', body: revokedResponseSchema } },
    errors: ['not_found'],
  }),
} as const;
