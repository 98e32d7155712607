import type { ClientContext } from '../auth/client-context';
import type { UserSession, UserSessions } from '../auth/session/user-sessions';
import type { SecurityEvents } from '../events/security-events';

/** A user managing their own sessions (ASVS 7.5.2): list them, end one, end all others.
 *  Each ending is written to the user's audit trail. */
export function sessionManagement(sessions: UserSessions, events: SecurityEvents) {
  return {
    list(userId: string): Promise<UserSession[]> {
      return sessions.list(userId);
    },

    /** False when the handle names no live session of this user (someone else's, or
     *  gone): the caller cannot tell which. */
    async revoke(userId: string, handle: string, client: ClientContext, current: boolean): Promise<boolean> {
      const revoked = await sessions.revoke(userId, handle);
      if (revoked) await events.record(userId, 'session_revoked', client, { session: handle, current });
      return revoked;
    },

    async revokeOthers(userId: string, keep: string, client: ClientContext): Promise<number> {
      const revoked = await sessions.revokeAll(userId, keep);
      if (revoked) await events.record(userId, 'session_revoked', client, { count: revoked, allOthers: true });
      return revoked;
    },
  };
}

export type SessionManagement = ReturnType<typeof sessionManagement>;
