import { eventsResponseSchema, meResponseSchema, passwordChangeBodySchema, passwordChangeResponseSchema } from '../../schemas';
import { defineRoute } from '../route';

/** The signed-in caller's own account. */
export const accountRoutes = {
  me: defineRoute({
    method: 'get',
    path: '/api/me',
    access: 'session',
    changesState: false,
    beforeSecondFactor: true,
    tag: 'Account',
    summary: 'Who is signed in',
    description:
      "The caller and their session, read fresh on every request: a revocation, a role change or an expiry shows on the very next one. The Next client's proxy asks this for every gated page view.",
    responses: { 200: { description: 'The caller and their session.', body: meResponseSchema } },
    errors: [],
  }),
  changePassword: defineRoute({
    method: 'post',
    path: '/api/auth/password',
    access: 'session',
    changesState: true,
    recentAuth: true,
    tag: 'Account',
    summary: 'Change the password',
    description:
      'Needs the current password. Sets the new one, ends every other session of the user, and continues this one under a new session ID (a new cookie comes with the answer). Wrong current passwords are rate-limited per user.',
    body: passwordChangeBodySchema,
    responses: { 200: { description: 'Changed; `revoked` other sessions were ended.', body: passwordChangeResponseSchema, headers: ['Set-Cookie'] } },
    errors: ['invalid_credentials', 'too_many_attempts'],
  }),
  listEvents: defineRoute({
    method: 'get',
    path: '/api/auth/events',
    access: 'session',
    changesState: false,
    tag: 'Account',
    summary: 'Recent security events',
    description: "The caller's own recent security events (sign-ins, failed attempts, password changes, revocations), newest first.",
    responses: { 200: { description: 'Newest first.', body: eventsResponseSchema } },
    errors: [],
  }),
} as const;
