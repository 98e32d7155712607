import type { AuthMethod } from '@cloakroom/shared';
import type { ClientContext } from '../client';

/** What Cloakroom keeps in a session besides express-session's cookie data. */
export interface SessionMeta extends ClientContext {
  /** Start of the session (login); the absolute lifetime counts from here. */
  createdAt: number;
  /** Last recorded activity; the idle timeout counts from here. Written at most once
   *  per touch interval. */
  lastSeenAt: number;
  /** The user's credential version that the sign-in verified: the session ends when the
   *  user's changes (a new password). Absent in sessions written before versions
   *  existed; those end if they began before the password last changed. */
  credentialVersion?: number;
  /** When the user last proved who they are in this session (sign-in or step-up), and
   *  how. Absent in sessions written before step-up existed: they count from createdAt,
   *  by password. */
  authTime?: number;
  authMethods?: AuthMethod[];
  /** How the session began (a re-authentication changes `authMethods`, never this). Absent
   *  in sessions written before it existed: they count as begun by password. */
  signInMethods?: AuthMethod[];
}

/** A session half-way through a two-step sign-in: the password was right, the second
 *  factor is still to come. It has no `passport.user`, so every check of a signed-in
 *  session sees it as anonymous; only the second-factor route reads it (pending.ts). */
export interface PendingSignIn extends ClientContext {
  userId: string;
  /** The credential version the password check verified: a password change meanwhile
   *  voids the pending sign-in. */
  credentialVersion: number;
  /** The email signed in with: wrong codes count against the same limits as passwords. */
  email: string;
  /** The browser's device id for that email, if it had one (auth/devices.ts). */
  device: string | null;
  createdAt: number;
  expiresAt: number;
}

declare module 'express-session' {
  interface SessionData {
    /** The signed-in user's id, in the slot passport used to fill: records written before
     *  the sign-in path stopped going through passport's session manager keep working. */
    passport: { user?: unknown };
    meta: SessionMeta;
    pending: PendingSignIn;
  }
}

/** A session as stored (and as express-session hands it to the store). Fields are
 *  optional because a record read from Redis is whatever was written there. */
export interface StoredSession {
  cookie?: unknown;
  passport?: { user?: unknown };
  meta?: SessionMeta;
  pending?: PendingSignIn;
}

export interface SessionLimits {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  touchIntervalMs: number;
}

export interface SessionDeadlines {
  idleExpiresAt: number;
  expiresAt: number;
  /** Whichever comes first: when the session really ends (and its Redis TTL). */
  endsAt: number;
}

export function deadlines(meta: SessionMeta, limits: SessionLimits): SessionDeadlines {
  const idleExpiresAt = meta.lastSeenAt + limits.idleTimeoutMs;
  const expiresAt = meta.createdAt + limits.absoluteTimeoutMs;
  return { idleExpiresAt, expiresAt, endsAt: Math.min(idleExpiresAt, expiresAt) };
}

/** The record of a session that a sign-in starts now: who, since when, from where, and
 *  bound to the credential the sign-in verified. */
export function signedInRecord(
  user: { id: string; credentialVersion: number },
  client: ClientContext,
  now: number,
  authMethods: AuthMethod[] = ['password'],
  signInMethods: AuthMethod[] = authMethods,
): Required<Pick<StoredSession, 'passport' | 'meta'>> {
  return {
    passport: { user: user.id },
    meta: {
      createdAt: now,
      lastSeenAt: now,
      ip: client.ip,
      userAgent: client.userAgent,
      credentialVersion: user.credentialVersion,
      authTime: now,
      authMethods,
      signInMethods,
    },
  };
}

/** When and how the session's user last proved who they are. */
export function authenticatedAt(meta: SessionMeta): { authTime: number; authMethods: AuthMethod[] } {
  return { authTime: meta.authTime ?? meta.createdAt, authMethods: meta.authMethods ?? ['password'] };
}

/** How the session began: with a passkey it began with two factors in one. */
export const signInMethodsOf = (meta: SessionMeta): AuthMethod[] => meta.signInMethods ?? ['password'];

/** True while the session still rests on the user's current credential. */
export function credentialStillValid(meta: SessionMeta, user: { credentialVersion: number; passwordChangedAt: number }): boolean {
  if (meta.credentialVersion !== undefined) return meta.credentialVersion === user.credentialVersion;
  return user.passwordChangedAt <= meta.createdAt;
}

export type SessionVerdict =
  | { valid: true; userId: string; meta: SessionMeta; touchDue: boolean }
  | { valid: false; reason: 'anonymous' | 'malformed' | 'idle_timeout' | 'absolute_timeout' };

function isMeta(value: unknown): value is SessionMeta {
  const m = value as SessionMeta | undefined;
  return (
    typeof m === 'object' &&
    m !== null &&
    Number.isFinite(m.createdAt) &&
    Number.isFinite(m.lastSeenAt) &&
    (m.credentialVersion === undefined || Number.isInteger(m.credentialVersion)) &&
    (m.authTime === undefined || Number.isFinite(m.authTime)) &&
    (m.authMethods === undefined || Array.isArray(m.authMethods)) &&
    (m.signInMethods === undefined || Array.isArray(m.signInMethods))
  );
}

/** The time rules of a session, enforced by the server whatever Redis's TTL says.
 *  express-session has no absolute lifetime of its own, hence `createdAt`. */
export function checkSession(stored: StoredSession | null | undefined, now: number, limits: SessionLimits): SessionVerdict {
  const userId = stored?.passport?.user;
  if (!stored || userId === undefined) return { valid: false, reason: 'anonymous' };
  if (typeof userId !== 'string' || !isMeta(stored.meta)) return { valid: false, reason: 'malformed' };
  const { idleExpiresAt, expiresAt } = deadlines(stored.meta, limits);
  if (now >= expiresAt) return { valid: false, reason: 'absolute_timeout' };
  if (now >= idleExpiresAt) return { valid: false, reason: 'idle_timeout' };
  return { valid: true, userId, meta: stored.meta, touchDue: now - stored.meta.lastSeenAt >= limits.touchIntervalMs };
}
