import type { ClientContext } from '../auth/client';
import type { UserSessions } from '../auth/session/user-sessions';
import type { UserRecords } from '../auth/user-records';
import type { UserState } from '../auth/user-state';
import type { RolesRepository } from '../db/roles';
import type { Role, UserPage, UserRow, UsersRepository } from '../db/users';
import type { SecurityEvents } from '../events/security-events';

export type RoleChangeResult = { ok: true; user: UserRow } | { ok: false; reason: 'not_found' | 'last_admin' };
export type EndSessionsResult = { ok: true; revoked: number } | { ok: false; reason: 'not_found' };

/** Sets a user's role under the last-admin rule and records who did it (`by`: the
 *  admin's id, or `cli` for the operator's command line, cli/user-create.ts). The one
 *  way a role changes: through the user's Redis record, so the next request of the
 *  user, on any instance, sees the new role. */
export function roleChanges(roles: RolesRepository, records: UserRecords, events: SecurityEvents) {
  return async function changeRole(by: string, targetId: string, role: Role, client: ClientContext): Promise<RoleChangeResult> {
    const change = await records.change(targetId, () => roles.setRole(targetId, role));
    if (change === 'not_found' || change === 'last_admin') return { ok: false, reason: change };
    if (change.previous !== role) await events.record(targetId, 'role_changed', client, { from: change.previous, to: role, by });
    return { ok: true, user: change.user };
  };
}

/** What an admin can do to users. Authorisation (the caller is an admin, as the
 *  database says right now) is the HTTP layer's check before any of these run. */
export function userAdministration(users: UsersRepository, roles: RolesRepository, records: UserRecords, sessions: UserSessions, events: SecurityEvents) {
  return {
    list(options: { limit: number; after?: string | undefined; emailPrefix?: string | undefined }): Promise<UserPage> {
      return users.list(options);
    },

    changeRole: roleChanges(roles, records, events),

    /** Ends every session of the user. An admin ending their own keeps the session in
     *  use (`keep`), like "sign out everywhere else". */
    async endSessions(actor: UserState, targetId: string, client: ClientContext, keep?: string): Promise<EndSessionsResult> {
      if (!(await users.findById(targetId))) return { ok: false, reason: 'not_found' };
      const revoked = await sessions.revokeAll(targetId, actor.id === targetId ? keep : undefined);
      if (revoked) await events.record(targetId, 'session_revoked', client, { count: revoked, by: actor.id });
      return { ok: true, revoked };
    },
  };
}

export type UserAdministration = ReturnType<typeof userAdministration>;
