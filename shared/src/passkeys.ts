import { z } from 'zod';

/** The passkey (WebAuthn) parts of the contract: what the browser's WebAuthn JSON looks like
 *  on the way in (as @simplewebauthn/browser produces it), the options on the way out, and
 *  the passkeys the API shows. The server's library checks the cryptography; these only
 *  keep malformed input away from it (400 validation_failed, never 500). */

/** base64url without padding, bounded: WebAuthn's binary fields travel this way. */
const base64url = (max: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, { error: 'Must be base64url' })
    .max(max);

const transportSchema = z.string().max(32);

const extensionOutputs = z.record(z.string(), z.unknown()).meta({ description: "The browser's extension results (passed through to the verifier)." });

/** What every credential the browser hands back looks like around its `response`. */
const publicKeyCredential = <R extends z.ZodObject>(response: R) =>
  z.object({
    id: base64url(1024),
    rawId: base64url(1024),
    type: z.literal('public-key'),
    response,
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: extensionOutputs,
  });

/** `navigator.credentials.create()`'s result, as JSON (RegistrationResponseJSON). */
export const registrationResponseSchema = publicKeyCredential(
  z.object({
    clientDataJSON: base64url(8192),
    attestationObject: base64url(32_768),
    authenticatorData: base64url(16_384).optional(),
    transports: z.array(transportSchema).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(8192).optional(),
  }),
).meta({
  id: 'PasskeyRegistrationResponse',
  description: "The browser's answer to the creation options (as `startRegistration()` of @simplewebauthn/browser returns it).",
});
export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;

/** `navigator.credentials.get()`'s result, as JSON (AuthenticationResponseJSON). */
export const authenticationResponseSchema = publicKeyCredential(
  z.object({
    clientDataJSON: base64url(8192),
    authenticatorData: base64url(16_384),
    signature: base64url(8192),
    userHandle: base64url(256).optional(),
  }),
).meta({
  id: 'PasskeyAssertion',
  description: "The browser's answer to the request options (as `startAuthentication()` of @simplewebauthn/browser returns it).",
});
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;

export const PASSKEY_NAME_MAX = 64;

export const passkeyNameSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'Name is required' : 'Name must be a string') })
  .trim()
  .min(1, { error: 'Name must not be empty' })
  .max(PASSKEY_NAME_MAX, { error: `Name must be at most ${PASSKEY_NAME_MAX} characters` })
  .meta({ description: 'What the user calls this passkey ("Work laptop").' });

const body = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: 'The request body must be a JSON object' });

export const passkeyRegisterBodySchema = body({ response: registrationResponseSchema, name: passkeyNameSchema.optional() });
export type PasskeyRegisterBody = z.infer<typeof passkeyRegisterBodySchema>;

export const passkeyLoginBodySchema = body({ response: authenticationResponseSchema });
export type PasskeyLoginBody = z.infer<typeof passkeyLoginBodySchema>;

export const passkeyRenameBodySchema = body({ name: passkeyNameSchema });
export type PasskeyRenameBody = z.infer<typeof passkeyRenameBodySchema>;

/** Passkey IDs are 16 random bytes, base64url (22 characters). */
export const passkeyIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

const isoDate = z.iso.datetime();

export const passkeySchema = z
  .object({
    id: passkeyIdSchema,
    name: z.string(),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable().meta({ description: 'The last sign-in or re-authentication with it; null if never used.' }),
  })
  .meta({ id: 'Passkey' });
export type Passkey = z.infer<typeof passkeySchema>;

export const passkeyResponseSchema = z.object({ passkey: passkeySchema });
export type PasskeyResponse = z.infer<typeof passkeyResponseSchema>;

export const passkeysResponseSchema = z.object({ passkeys: z.array(passkeySchema) });
export type PasskeysResponse = z.infer<typeof passkeysResponseSchema>;

const credentialDescriptor = z.looseObject({ id: base64url(1024), type: z.literal('public-key'), transports: z.array(transportSchema).optional() });

/** PublicKeyCredentialCreationOptionsJSON: hand it to `startRegistration({ optionsJSON })`. */
export const creationOptionsSchema = z
  .looseObject({
    challenge: base64url(256),
    rp: z.looseObject({ name: z.string(), id: z.string().optional() }),
    user: z.looseObject({ id: base64url(256), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.looseObject({ alg: z.number().int(), type: z.literal('public-key') })),
    timeout: z.number().int().optional(),
    excludeCredentials: z.array(credentialDescriptor).optional(),
    authenticatorSelection: z.looseObject({}).optional(),
    attestation: z.string().optional(),
  })
  .meta({ id: 'PasskeyCreationOptions', description: 'WebAuthn creation options (PublicKeyCredentialCreationOptionsJSON).' });
export type CreationOptions = z.infer<typeof creationOptionsSchema>;

/** PublicKeyCredentialRequestOptionsJSON: hand it to `startAuthentication({ optionsJSON })`. */
export const requestOptionsSchema = z
  .looseObject({
    challenge: base64url(256),
    rpId: z.string().optional(),
    timeout: z.number().int().optional(),
    allowCredentials: z.array(credentialDescriptor).optional(),
    userVerification: z.enum(['required', 'preferred', 'discouraged']).optional(),
  })
  .meta({ id: 'PasskeyRequestOptions', description: 'WebAuthn request options (PublicKeyCredentialRequestOptionsJSON).' });
export type RequestOptions = z.infer<typeof requestOptionsSchema>;
