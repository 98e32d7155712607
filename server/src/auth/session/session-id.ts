import { randomBytes } from 'node:crypto';
import { routingTag, type RedisKeys } from '../../redis/keys';
import { sessionHandle } from './handle';

/** What names a session in Redis: the owner's routing tag (the hash slot of everything
 *  that is theirs) and the session's public handle. */
export interface SessionRef {
  tag: string;
  handle: string;
}

const TAGGED = /^([0-9a-f]{4})\.[A-Za-z0-9_-]{32}$/;

/** A new session ID for `userId`: `<routing tag>.<192 random bits, base64url>`. The tag
 *  lets any instance find the record from the cookie alone, in the owner's slot (on
 *  Redis Cluster the record, the owner's index and auth record share a node). It says
 *  nothing about the user but 16 bits of a hash of their ID, which is no secret. Without
 *  a user (express-session asks for an ID on every anonymous request; such IDs are
 *  never stored) the tag is random. */
export function newSessionId(userId?: string): string {
  const tag = userId === undefined ? randomBytes(2).toString('hex') : routingTag(userId);
  return `${tag}.${randomBytes(24).toString('base64url')}`;
}

/** The tag and handle of a session ID, or null for an ID of another shape (one issued
 *  before IDs carried a tag: such sessions are simply not found, their owners sign in
 *  again). */
export function sessionRef(sessionId: string): SessionRef | null {
  const match = TAGGED.exec(sessionId);
  return match ? { tag: match[1]!, handle: sessionHandle(sessionId) } : null;
}

/** The Redis key of a session's record, from its ID (null for an untagged ID). */
export function sessionKeyOf(keys: RedisKeys, sessionId: string): string | null {
  const ref = sessionRef(sessionId);
  return ref && keys.session(ref.tag, ref.handle);
}
