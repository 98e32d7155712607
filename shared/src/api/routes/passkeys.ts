import {
  creationOptionsSchema,
  passkeyLoginBodySchema,
  passkeyRegisterBodySchema,
  passkeyRenameBodySchema,
  passkeyResponseSchema,
  passkeysResponseSchema,
  requestOptionsSchema,
} from '../../passkeys';
import { userResponseSchema } from '../../schemas';
import { defineRoute } from '../route';

const CHALLENGE_NOTE = 'The challenge is kept by the server, bound to the caller that asked, good for one answer within 5 minutes; asking again replaces it.';

/** Passkeys (WebAuthn): adding and managing them while signed in, and signing in with one
 *  alone. Literal paths come before `/:id` ones, so that `:id` never swallows them. */
export const passkeyRoutes = {
  passkeyRegistrationOptions: defineRoute({
    method: 'post',
    path: '/api/auth/passkeys/register/options',
    access: 'session',
    changesState: true,
    tag: 'Account',
    summary: 'Start adding a passkey',
    description: `WebAuthn creation options for a new passkey of the caller: a discoverable credential with user verification, none of the caller's existing passkeys again. Pass them to \`startRegistration({ optionsJSON })\` of @simplewebauthn/browser and send its result to POST /api/auth/passkeys. ${CHALLENGE_NOTE}`,
    responses: { 200: { description: 'Creation options (PublicKeyCredentialCreationOptionsJSON).', body: creationOptionsSchema } },
    errors: [],
  }),
  passkeyLoginOptions: defineRoute({
    method: 'post',
    path: '/api/auth/passkeys/login/options',
    access: 'public',
    changesState: true,
    tag: 'Authentication',
    summary: 'Start signing in with a passkey',
    description: `WebAuthn request options for a sign-in with a passkey alone (no email: the browser offers the passkeys it has for this site), user verification required. The answer sets a short-lived cookie that binds the challenge to this browser; send \`startAuthentication({ optionsJSON })\`'s result to POST /api/auth/passkeys/login. ${CHALLENGE_NOTE} Rate-limited per client address.`,
    responses: { 200: { description: 'Request options (PublicKeyCredentialRequestOptionsJSON).', body: requestOptionsSchema, headers: ['Set-Cookie'] } },
    errors: ['too_many_attempts'],
  }),
  passkeyLogin: defineRoute({
    method: 'post',
    path: '/api/auth/passkeys/login',
    access: 'public',
    changesState: true,
    tag: 'Authentication',
    summary: 'Sign in with a passkey',
    description:
      "Verifies the browser's answer to the sign-in challenge (origin, RP ID, signature, user verification, signature counter) and starts a session under a new ID, as a password sign-in does. A passkey with user verification is two factors at once (something you have, unlocked by something you know or are): no second step follows. Every failure gets the same answer. Rate-limited per client address.",
    body: passkeyLoginBodySchema,
    responses: { 200: { description: 'Signed in.', body: userResponseSchema, headers: ['Set-Cookie'] } },
    errors: ['invalid_passkey', 'too_many_attempts'],
  }),
  listPasskeys: defineRoute({
    method: 'get',
    path: '/api/auth/passkeys',
    access: 'session',
    changesState: false,
    tag: 'Account',
    summary: "The caller's passkeys",
    description: 'Oldest first.',
    responses: { 200: { description: "The caller's passkeys.", body: passkeysResponseSchema } },
    errors: [],
  }),
  registerPasskey: defineRoute({
    method: 'post',
    path: '/api/auth/passkeys',
    access: 'session',
    changesState: true,
    tag: 'Account',
    summary: 'Add a passkey',
    description:
      'Verifies the browser\'s answer to the creation options of this session (origin, RP ID, user verification) and keeps the passkey under the name given (or "Passkey N"). At most 20 passkeys per account.',
    body: passkeyRegisterBodySchema,
    responses: { 201: { description: 'Added.', body: passkeyResponseSchema } },
    errors: ['passkey_registration_failed'],
  }),
  renamePasskey: defineRoute({
    method: 'patch',
    path: '/api/auth/passkeys/:id',
    access: 'session',
    changesState: true,
    tag: 'Account',
    summary: 'Rename a passkey',
    description: "Renames one of the caller's passkeys.",
    params: { id: 'The passkey, as GET /api/auth/passkeys lists it.' },
    body: passkeyRenameBodySchema,
    responses: { 200: { description: 'Renamed.', body: passkeyResponseSchema } },
    errors: ['not_found'],
  }),
  removePasskey: defineRoute({
    method: 'delete',
    path: '/api/auth/passkeys/:id',
    access: 'session',
    changesState: true,
    tag: 'Account',
    summary: 'Remove a passkey',
    description: "Removes one of the caller's passkeys: it signs in no more. Recorded as a security event.",
    params: { id: 'The passkey, as GET /api/auth/passkeys lists it.' },
    responses: { 204: { description: 'Removed.' } },
    errors: ['not_found'],
  }),
} as const;
