/** What Cloakroom keeps in a session besides express-session's cookie data. */
export interface SessionMeta {
  /** Start of the session (login); the absolute lifetime counts from here. */
  createdAt: number;
  /** Last recorded activity; the idle timeout counts from here. Written at most once
   *  per touch interval. */
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
}

/** A session as stored (and as express-session hands it to the store). */
export interface StoredSession {
  cookie?: unknown;
  /** passport's slot: the signed-in user's id. */
  passport?: { user?: unknown };
  meta?: SessionMeta;
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

export type SessionVerdict =
  | { valid: true; userId: string; meta: SessionMeta; touchDue: boolean }
  | { valid: false; reason: 'anonymous' | 'malformed' | 'idle_timeout' | 'absolute_timeout' };

function isMeta(value: unknown): value is SessionMeta {
  const m = value as SessionMeta | undefined;
  return typeof m === 'object' && m !== null && Number.isFinite(m.createdAt) && Number.isFinite(m.lastSeenAt);
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
