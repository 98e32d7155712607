import { createHash } from 'node:crypto';

/** The public handle of a session: SHA-256 of its ID, base64url. It names the session
 *  in Redis keys and in API responses; it cannot be turned back into the ID, so neither
 *  a Redis dump nor a response body yields a usable cookie. The ID has 192 random bits (after its routing tag, session-id.ts),
 *  so no salt or key is needed to make the hash one-way in practice. */
export function sessionHandle(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}
