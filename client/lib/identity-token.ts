import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { IDENTITY_HEADERS, roleSchema, type Role } from '@cloakroom/shared';
import { z } from 'zod';

/** The identity the proxy hands to pages: two request headers, a payload and an HMAC over
 *  it. The payload names the request path and expires within seconds, so a captured pair
 *  replayed against another page, or later, is worth nothing. Pure functions: the proxy
 *  signs, the server-only helper in identity.ts verifies. */

export interface Identity {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** Whether the user has confirmed their email address. */
  emailVerified: boolean;
  /** Public handle of the session (never the cookie's ID). */
  sessionId: string;
  /** When the session ends at the latest (absolute lifetime), ISO 8601. */
  expiresAt: string;
  /** When it ends if unused until then (idle timeout), ISO 8601. */
  idleExpiresAt: string;
}

const payloadSchema = z.object({
  v: z.literal(1),
  user: z.object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: roleSchema,
    emailVerified: z.boolean(),
    sessionId: z.string(),
    expiresAt: z.string(),
    idleExpiresAt: z.string(),
  }),
  /** The request path the proxy vouched for. */
  path: z.string(),
  /** Milliseconds since the epoch after which the pair is void. */
  exp: z.number(),
});

/** Long enough for a slow render to start, far too short to be useful to anyone who
 *  captured the headers. */
export const IDENTITY_TTL_MS = 30_000;

const HKDF_SALT = 'cloakroom';
const HKDF_INFO = 'cloakroom identity headers v1';

/** A 32-byte HMAC key from any secret. HKDF keeps this key independent of the secret's
 *  other use (the API signs session cookies with SESSION_SECRET itself). */
export function deriveIdentityKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, HKDF_INFO, 32));
}

/** Paths are compared decoded and lower-cased: Next matches routes that way, so
 *  `/ADMIN` and `/%61dmin` are the admin page too. */
export function canonicalPath(pathname: string): string {
  let path = pathname;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    // keep it as sent: it then matches nothing a page expects
  }
  path = path.toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

const mac = (key: Buffer, encodedPayload: string) => createHmac('sha256', key).update(`v1.${encodedPayload}`).digest('base64url');

export type IdentityHeaders = Record<(typeof IDENTITY_HEADERS)[keyof typeof IDENTITY_HEADERS], string>;

export function signIdentity(key: Buffer, user: Identity, path: string, now: number = Date.now()): IdentityHeaders {
  const payload: z.infer<typeof payloadSchema> = { v: 1, user, path: canonicalPath(path), exp: now + IDENTITY_TTL_MS };
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return { [IDENTITY_HEADERS.user]: encoded, [IDENTITY_HEADERS.signature]: mac(key, encoded) };
}

export type VerifyFailure = 'missing' | 'bad_signature' | 'malformed' | 'expired' | 'wrong_path';

/** The user the headers vouch for on `expectedPath`, or why they do not. `expectedPath`
 *  is null only for callers that serve every path (the result then says nothing about
 *  which page it was minted for). */
export function verifyIdentity(
  key: Buffer,
  userHeader: string | null | undefined,
  signatureHeader: string | null | undefined,
  expectedPath: string | null,
  now: number = Date.now(),
): { ok: true; user: Identity } | { ok: false; reason: VerifyFailure } {
  if (!userHeader || !signatureHeader) return { ok: false, reason: 'missing' };
  const expected = Buffer.from(mac(key, userHeader));
  const given = Buffer.from(signatureHeader);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let payload: z.infer<typeof payloadSchema>;
  try {
    payload = payloadSchema.parse(JSON.parse(Buffer.from(userHeader, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.exp <= now || payload.exp > now + IDENTITY_TTL_MS) return { ok: false, reason: 'expired' };
  if (expectedPath !== null && payload.path !== canonicalPath(expectedPath)) return { ok: false, reason: 'wrong_path' };
  return { ok: true, user: payload.user };
}
