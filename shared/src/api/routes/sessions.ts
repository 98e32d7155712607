import { revokedResponseSchema, sessionsResponseSchema } from '../../schemas';
import { defineRoute } from '../route';

/** The signed-in user's sessions. Ids are public handles, never session IDs. */
export const sessionRoutes = {
  listSessions: defineRoute({
    method: 'get',
    path: '/api/auth/sessions',
    access: 'session',
    changesState: false,
    tag: 'Sessions',
    summary: 'List my sessions',
    description: "Every live session of the caller's account, with device and address, marking the current one.",
    responses: { 200: { description: "The account's live sessions.", body: sessionsResponseSchema } },
    errors: [],
  }),
  revokeOtherSessions: defineRoute({
    method: 'delete',
    path: '/api/auth/sessions',
    access: 'session',
    changesState: true,
    recentAuth: true,
    tag: 'Sessions',
    summary: 'Sign out everywhere else',
    description: 'Ends every session of the account except the current one; each is refused on its very next request, on every instance.',
    responses: { 200: { description: 'How many sessions were ended.', body: revokedResponseSchema } },
    errors: [],
  }),
  revokeSession: defineRoute({
    method: 'delete',
    path: '/api/auth/sessions/:id',
    access: 'session',
    changesState: true,
    recentAuth: true,
    tag: 'Sessions',
    summary: 'End one session',
    description:
      'Ends one session of the account, by its public handle. Ending the current one signs the caller out (the cookie is cleared). A malformed id, a session of another account and one already gone all get the same 404.',
    params: { id: 'The public handle of the session (`id` in GET /api/auth/sessions).' },
    responses: { 204: { description: 'Ended.', headers: ['Set-Cookie', 'Clear-Site-Data'] } },
    errors: ['not_found'],
  }),
} as const;
