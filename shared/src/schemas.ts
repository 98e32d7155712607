import { z } from 'zod';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH, passwordBytes, passwordLength } from './password-policy';

// ---------- pieces ----------

/** "Email is required" for a missing field, "Email must be a string" for a wrong type. */
const requiredString = (label: string) => z.string({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a string`) });

/** Emails are trimmed and lower-cased before anything else sees them, so that
 *  "Ann@Example.com " and "ann@example.com" are one account. */
export const emailSchema = requiredString('Email')
  .trim()
  .toLowerCase()
  .max(254, { error: 'Email must be at most 254 characters' })
  .pipe(z.email({ error: 'Enter a valid email address' }))
  .meta({ description: 'An email address; trimmed and lower-cased before anything else sees it.', example: 'ann@example.com' });

/** A password exactly as typed: never trimmed, never case-folded. Only the byte cap
 *  applies here; it runs before hashing so an oversized password costs nothing. */
const passwordAsTyped = (label: string) =>
  requiredString(label).refine((p) => passwordBytes(p) <= PASSWORD_MAX_BYTES, {
    error: `Password must be at most ${PASSWORD_MAX_BYTES} bytes`,
    abort: true,
  });

/** The policy for a new password (the common-password list is checked by the server). */
export const newPasswordSchema = passwordAsTyped('Password')
  .refine((p) => passwordLength(p) >= PASSWORD_MIN_LENGTH, {
    error: `Password must be at least ${PASSWORD_MIN_LENGTH} characters`,
  })
  .meta({
    description: `At least ${PASSWORD_MIN_LENGTH} characters, at most ${PASSWORD_MAX_BYTES} bytes, not a commonly used password; kept exactly as typed.`,
    // JSON Schema counts code points, as passwordLength does.
    minLength: PASSWORD_MIN_LENGTH,
  });

/** An existing password being presented: any non-empty string within the byte cap. */
export const presentedPasswordSchema = passwordAsTyped('Password')
  .refine((p) => p.length > 0, {
    error: 'Password is required',
  })
  .meta({ description: 'The password exactly as typed.', minLength: 1 });

export const roleSchema = z.enum(['user', 'admin']).meta({ id: 'Role', description: 'What the user may do: `admin` opens the administration routes.' });
export type Role = z.infer<typeof roleSchema>;

const isoDate = z.iso.datetime();

// ---------- request bodies ----------

const body = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: 'The request body must be a JSON object' });

export const registerBodySchema = body({
  email: emailSchema,
  password: newPasswordSchema,
  name: requiredString('Name')
    .trim()
    .min(1, { error: 'Name must not be empty' })
    .max(100, { error: 'Name must be at most 100 characters' })
    .meta({ description: 'How to address the user (optional).' })
    .optional(),
});
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const loginBodySchema = body({
  email: emailSchema,
  password: presentedPasswordSchema,
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const passwordChangeBodySchema = body({
  currentPassword: presentedPasswordSchema,
  newPassword: newPasswordSchema,
});
export type PasswordChangeBody = z.infer<typeof passwordChangeBodySchema>;

/** A one-time token from a mailed link, exactly as the link carried it. Any string is
 *  accepted here: a malformed token is answered like an unknown one (400 invalid_token). */
export const mailTokenSchema = requiredString('Token')
  .min(1, { error: 'Token is required' })
  .max(512, { error: 'Token must be at most 512 characters' })
  .meta({ description: 'The token from the mailed link (the `token` parameter of its fragment).' });

export const forgotPasswordBodySchema = body({ email: emailSchema });
export type ForgotPasswordBody = z.infer<typeof forgotPasswordBodySchema>;

export const resetPasswordBodySchema = body({ token: mailTokenSchema, newPassword: newPasswordSchema });
export type ResetPasswordBody = z.infer<typeof resetPasswordBodySchema>;

export const verifyEmailBodySchema = body({ token: mailTokenSchema });
export type VerifyEmailBody = z.infer<typeof verifyEmailBodySchema>;

export const emailChangeBodySchema = body({ newEmail: emailSchema, currentPassword: presentedPasswordSchema });
export type EmailChangeBody = z.infer<typeof emailChangeBodySchema>;

export const roleUpdateBodySchema = body({ role: roleSchema });
export type RoleUpdateBody = z.infer<typeof roleUpdateBodySchema>;

export const adminUsersQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Users per page.' }),
  /** Opaque: the nextCursor of the previous page (an email of up to 254 characters, encoded). */
  cursor: z.string().max(400).meta({ description: 'The `nextCursor` of the previous page; absent or empty for the first.' }).optional(),
  /** Case-insensitive email prefix. */
  email: z.string().trim().toLowerCase().max(254).meta({ description: 'Only users whose email starts with this (any case).' }).optional(),
});
export type AdminUsersQuery = z.infer<typeof adminUsersQuerySchema>;

/** Public handles are base64url SHA-256 digests (43 characters). */
export const sessionHandleSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
export const userIdSchema = z.uuid();

// ---------- responses ----------

export const publicUserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: roleSchema,
    createdAt: isoDate,
    emailVerified: z.boolean().meta({ description: 'Whether the user has proved they receive mail at `email` (by following a verification link).' }),
  })
  .meta({ id: 'PublicUser', description: 'A user as the API shows it: never the password hash, never internal times.' });
export type PublicUser = z.infer<typeof publicUserSchema>;

export const userResponseSchema = z.object({ user: publicUserSchema });
export type UserResponse = z.infer<typeof userResponseSchema>;

/** The caller's own session as /api/me shows it. `id` is a public handle, never the
 *  cookie's session ID. */
export const sessionInfoSchema = z
  .object({
    id: z.string().meta({ description: "The session's public handle (never the cookie's session ID)." }),
    createdAt: isoDate,
    /** When the session ends at the latest (absolute lifetime). */
    expiresAt: isoDate.meta({ description: 'When the session ends at the latest (absolute lifetime).' }),
    /** When the session ends if it is not used before then (idle timeout). */
    idleExpiresAt: isoDate.meta({ description: 'When the session ends if it is not used before then (idle timeout).' }),
  })
  .meta({ id: 'SessionInfo' });
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const meResponseSchema = z.object({ user: publicUserSchema, session: sessionInfoSchema });
export type MeResponse = z.infer<typeof meResponseSchema>;

/** One of the caller's sessions in GET /api/auth/sessions; `id` is its public handle. */
export const sessionListItemSchema = z
  .object({
    id: z.string().meta({ description: "The session's public handle, for DELETE /api/auth/sessions/{id}." }),
    createdAt: isoDate,
    lastSeenAt: isoDate,
    /** When the session ends at the latest (absolute lifetime), as in /api/me. */
    expiresAt: isoDate,
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
    current: z.boolean().meta({ description: 'Whether this is the session that asked.' }),
  })
  .meta({ id: 'SessionListItem' });
export type SessionListItem = z.infer<typeof sessionListItemSchema>;

export const sessionsResponseSchema = z.object({ sessions: z.array(sessionListItemSchema) });
export type SessionsResponse = z.infer<typeof sessionsResponseSchema>;

export const revokedResponseSchema = z.object({ revoked: z.number().int().min(0) });
export type RevokedResponse = z.infer<typeof revokedResponseSchema>;

/** POST /api/auth/password: the user, and how many other sessions were ended. The
 *  current session continues under a new ID (a new cookie comes with the answer). */
export const passwordChangeResponseSchema = z.object({ user: publicUserSchema, revoked: z.number().int().min(0) });
export type PasswordChangeResponse = z.infer<typeof passwordChangeResponseSchema>;

/** An empty answer: 202 to requests whose outcome is mailed, 200 to a reset. */
export const emptyResponseSchema = z.object({}).meta({ id: 'Empty' });
export type EmptyResponse = z.infer<typeof emptyResponseSchema>;

export const adminUsersResponseSchema = z.object({
  users: z.array(publicUserSchema),
  nextCursor: z.string().nullable(),
});
export type AdminUsersResponse = z.infer<typeof adminUsersResponseSchema>;

export const SECURITY_EVENT_TYPES = [
  'login_succeeded',
  'login_failed',
  'logout',
  'session_revoked',
  'password_changed',
  'role_changed',
  'account_locked',
  'registered',
  'password_reset_requested',
  'password_reset',
  'email_verified',
  'email_change_requested',
  'email_changed',
] as const;
export const securityEventTypeSchema = z.enum(SECURITY_EVENT_TYPES).meta({ id: 'SecurityEventType' });
export type SecurityEventType = z.infer<typeof securityEventTypeSchema>;

export const securityEventSchema = z
  .object({
    id: z.string(),
    type: securityEventTypeSchema,
    at: isoDate,
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'SecurityEvent' });
export type SecurityEvent = z.infer<typeof securityEventSchema>;

export const eventsResponseSchema = z.object({ events: z.array(securityEventSchema) });
export type EventsResponse = z.infer<typeof eventsResponseSchema>;

export const healthResponseSchema = z.object({ status: z.literal('ok') });
export type HealthResponse = z.infer<typeof healthResponseSchema>;
/** 200 only: a service that is not ready answers 503 in the error shape, naming what is down. */
export const readinessResponseSchema = z.object({
  status: z.literal('ok'),
  checks: z.object({ redis: z.enum(['ok', 'down']), database: z.enum(['ok', 'down']) }),
});
export type ReadinessResponse = z.infer<typeof readinessResponseSchema>;
