import { loginBodySchema, registerBodySchema, userResponseSchema } from '../../schemas';
import { defineRoute } from '../route';

/** Signing up, in and out. */
export const authRoutes = {
  register: defineRoute({
    method: 'post',
    path: '/api/auth/register',
    access: 'public',
    changesState: true,
    tag: 'Authentication',
    summary: 'Create an account',
    description:
      'Creates the account and signs it in: the answer sets a new session cookie, and the device cookie that marks this browser as known to the account. The email is trimmed and lower-cased; the password needs at least 8 characters (at most 1024 bytes) and must not be a common one. Rate-limited per client address.',
    body: registerBodySchema,
    responses: { 201: { description: 'Created and signed in.', body: userResponseSchema, headers: ['Set-Cookie'] } },
    errors: ['email_taken', 'too_many_attempts'],
  }),
  login: defineRoute({
    method: 'post',
    path: '/api/auth/login',
    access: 'public',
    changesState: true,
    tag: 'Authentication',
    summary: 'Sign in',
    description:
      'Checks the email and password and starts a session under a new ID (any session the request carried is replaced, so a planted session ID is worth nothing). An unknown email and a wrong password get the same answer. Rate-limited per client address and per account, and every password check (right or wrong) counts against a budget of its own; repeated failures lock the account for a while from that address (429 with Retry-After either way). With `REQUIRE_EMAIL_VERIFICATION=true`, a right password on an account whose address is not verified gets 403 email_unverified (no session) and a fresh verification link is mailed. A browser that signed in to this account before (its device cookie, set by every successful sign-in and kept across sign-outs) is counted on its own, so failures elsewhere cannot lock it out.',
    body: loginBodySchema,
    responses: { 200: { description: 'Signed in.', body: userResponseSchema, headers: ['Set-Cookie'] } },
    errors: ['invalid_credentials', 'email_unverified', 'too_many_attempts'],
  }),
  logout: defineRoute({
    method: 'post',
    path: '/api/auth/logout',
    access: 'public',
    changesState: true,
    tag: 'Authentication',
    summary: 'Sign out',
    description:
      'Ends every validly signed session the request carries (their records are deleted from Redis), clears the session cookie (the device cookie stays) and asks the browser to drop what it cached for the user (Clear-Site-Data). Succeeds without a session too.',
    responses: { 204: { description: 'Signed out (or was not signed in).', headers: ['Set-Cookie', 'Clear-Site-Data'] } },
    errors: [],
  }),
} as const;
