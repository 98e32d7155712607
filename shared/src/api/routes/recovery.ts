import {
  emailChangeBodySchema,
  emptyResponseSchema,
  forgotPasswordBodySchema,
  resetPasswordBodySchema,
  userResponseSchema,
  verifyEmailBodySchema,
} from '../../schemas';
import { defineRoute } from '../route';

/** Getting back in and proving an address: password reset, email verification, email
 *  change. Every link they mail carries its one-time token in the URL fragment. */
export const recoveryRoutes = {
  forgotPassword: defineRoute({
    method: 'post',
    path: '/api/auth/password/forgot',
    access: 'public',
    changesState: true,
    tag: 'Recovery',
    summary: 'Ask for a password reset link',
    description:
      'Always 202 with an empty body, answered before anything about the address is looked up: a known and an unknown address get the same answer in the same time. A known one is then mailed a link to the reset page (valid for `RESET_TOKEN_TTL`, 30 minutes by default; a newer link voids the older ones). Rate-limited per client address and per email address, counted alike for known and unknown addresses.',
    body: forgotPasswordBodySchema,
    responses: { 202: { description: 'Accepted (whether or not the address has an account).', body: emptyResponseSchema } },
    errors: ['too_many_attempts'],
  }),
  resetPassword: defineRoute({
    method: 'post',
    path: '/api/auth/password/reset',
    access: 'public',
    changesState: true,
    tag: 'Recovery',
    summary: 'Set a new password with a reset token',
    description:
      'Sets the new password (the same policy as sign-up), ends every session of the account and does not sign in: the user signs in with the new password. The token is single-use; a used, expired, voided or unknown token gets 400 invalid_token. The account is mailed a notice that its password changed.',
    body: resetPasswordBodySchema,
    responses: { 200: { description: 'The password is set; every session of the account has ended.', body: emptyResponseSchema } },
    errors: ['invalid_token', 'too_many_attempts'],
  }),
  verifyEmail: defineRoute({
    method: 'post',
    path: '/api/auth/email/verify',
    access: 'public',
    changesState: true,
    tag: 'Recovery',
    summary: 'Confirm an email address',
    description:
      'Confirms the address a verification link was sent to, or applies an email change (the token is bound to the new address). Needs no session: the link may be opened in another browser. 409 email_taken when the new address was taken by another account after the change was asked for.',
    body: verifyEmailBodySchema,
    responses: { 200: { description: 'The user, with the address confirmed.', body: userResponseSchema } },
    errors: ['invalid_token', 'email_taken', 'too_many_attempts'],
  }),
  resendVerification: defineRoute({
    method: 'post',
    path: '/api/auth/email/verify/resend',
    access: 'session',
    changesState: true,
    tag: 'Recovery',
    summary: 'Send a new verification link',
    description:
      'Mails a new verification link to the signed-in user (older links stop working). Nothing is sent when the address is verified already. Rate-limited per user.',
    responses: { 202: { description: 'Accepted.', body: emptyResponseSchema } },
    errors: ['too_many_attempts'],
  }),
  changeEmail: defineRoute({
    method: 'post',
    path: '/api/auth/email',
    access: 'session',
    changesState: true,
    tag: 'Recovery',
    summary: 'Change the email address',
    description:
      'Needs the current password. Mails a confirmation link to the new address and a notice (with the time and device) to the old one; the change applies only when the new address confirms through POST /api/auth/email/verify. Sessions stay. Wrong current passwords are rate-limited per user.',
    body: emailChangeBodySchema,
    responses: { 202: { description: 'Accepted: the confirmation link is on its way to the new address.', body: emptyResponseSchema } },
    errors: ['invalid_credentials', 'email_taken', 'too_many_attempts'],
  }),
} as const;
