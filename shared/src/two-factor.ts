import { z } from 'zod';
import { presentedPasswordSchema, publicUserSchema } from './schemas';

/** The second factor and step-up: TOTP, recovery codes, re-authentication (DESIGN.md,
 *  "Second factor and step-up"). */

/** RFC 6238 as every authenticator app does it: SHA-1, 30-second steps, 6 digits. */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
export const RECOVERY_CODE_COUNT = 10;
/** A pending (password-only) session lasts this long, and ends after this many wrong codes. */
export const PENDING_SESSION_SECONDS = 300;
export const PENDING_MAX_WRONG_CODES = 5;

/** The second factors a pending sign-in may finish with (a passkey: when the account has one). */
export const SECOND_FACTOR_METHODS = ['totp', 'recovery_code', 'passkey'] as const;
export const secondFactorMethodSchema = z.enum(SECOND_FACTOR_METHODS).meta({ id: 'SecondFactorMethod' });
export type SecondFactorMethod = z.infer<typeof secondFactorMethodSchema>;

const body = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape, { error: 'The request body must be a JSON object with one of the fields described' });

/** Six digits; spaces (as apps show them, "123 456") are dropped. */
export const totpCodeSchema = z
  .string({ error: 'Code must be a string' })
  .transform((s) => s.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, { error: 'Enter the 6-digit code from your authenticator app' }))
  .meta({ description: 'The 6-digit code the authenticator app shows now (spaces are ignored).', example: '123456' });

/** A recovery code as printed (groups of letters and digits joined by dashes); case,
 *  spaces and dashes do not matter. */
export const recoveryCodeSchema = z
  .string({ error: 'Recovery code must be a string' })
  .max(64, { error: 'That is not a recovery code' })
  .transform((s) => s.replace(/[\s-]+/g, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z2-7]{24}$/, { error: 'That is not a recovery code' }))
  .meta({ description: 'One of the recovery codes shown when the authenticator was set up (dashes, spaces and case do not matter).' });

/** A WebAuthn assertion as @simplewebauthn/browser returns it (checked by the passkey
 *  module, not here). */
export const passkeyAssertionSchema = z.record(z.string(), z.unknown()).meta({ description: 'The WebAuthn assertion (AuthenticationResponseJSON).' });

export const twoFactorVerifyBodySchema = z
  .union([body({ code: totpCodeSchema }), body({ recoveryCode: recoveryCodeSchema }), body({ passkey: passkeyAssertionSchema })], {
    error: 'Send one of {"code"} (from the authenticator app), {"recoveryCode"} or {"passkey"}',
  })
  .meta({ id: 'TwoFactorVerifyBody' });
export type TwoFactorVerifyBody = z.input<typeof twoFactorVerifyBodySchema>;

export const totpConfirmBodySchema = body({ code: totpCodeSchema });
export type TotpConfirmBody = z.input<typeof totpConfirmBodySchema>;

/** Re-authentication: exactly one way of proving it is you. */
export const reauthBodySchema = z
  .union([body({ password: presentedPasswordSchema }), body({ code: totpCodeSchema }), body({ passkey: passkeyAssertionSchema })], {
    error: 'Send one of {"password"}, {"code"} or {"passkey"}',
  })
  .meta({ id: 'ReauthBody' });
export type ReauthBody = z.input<typeof reauthBodySchema>;

// ---------- responses ----------

export const secondFactorRequiredSchema = z
  .object({
    secondFactorRequired: z.literal(true),
    methods: z.array(secondFactorMethodSchema).meta({ description: 'What POST /api/auth/2fa/verify accepts for this account.' }),
  })
  .meta({ id: 'SecondFactorRequired' });
export type SecondFactorRequired = z.infer<typeof secondFactorRequiredSchema>;

export const loginResponseSchema = z.union([z.object({ user: publicUserSchema }), secondFactorRequiredSchema]).meta({ id: 'LoginResponse' });
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const totpSetupResponseSchema = z.object({
  secret: z.string().meta({ description: 'The shared secret in base32, for typing into an app that cannot scan the QR code.' }),
  otpauthUrl: z.string().meta({ description: 'The otpauth:// URL to show as a QR code (made locally: it holds the secret).' }),
});
export type TotpSetupResponse = z.infer<typeof totpSetupResponseSchema>;

export const recoveryCodesResponseSchema = z.object({
  recoveryCodes: z.array(z.string()).length(RECOVERY_CODE_COUNT).meta({ description: 'Shown this once: the server keeps only their hashes.' }),
});
export type RecoveryCodesResponse = z.infer<typeof recoveryCodesResponseSchema>;

export const twoFactorStatusSchema = z
  .object({
    totp: z.boolean().meta({ description: 'Whether an authenticator app is set up (confirmed).' }),
    recoveryCodesLeft: z.number().int().min(0),
    required: z.boolean().meta({ description: "Whether the user's role needs a second factor (REQUIRE_2FA_FOR_ROLES)." }),
    setupRequired: z.boolean().meta({
      description:
        'Whether this session may do nothing but set up an authenticator app (403 second_factor_setup_required elsewhere): the role needs a second factor, none is set up, and the session did not begin with a passkey.',
    }),
  })
  .meta({ id: 'TwoFactorStatus' });
export type TwoFactorStatus = z.infer<typeof twoFactorStatusSchema>;

export const reauthResponseSchema = z.object({ authTime: z.iso.datetime() });
export type ReauthResponse = z.infer<typeof reauthResponseSchema>;
