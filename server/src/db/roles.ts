import { PostgresAdapter } from 'kysely';
import type { Db } from './connection';
import type { Role, UserRow } from './users';

export type RoleChange = { user: UserRow; previous: Role } | 'not_found' | 'last_admin';

/** Sets a user's role, refusing to leave the system without an admin. Two admins
 *  demoting each other at the same moment must not both succeed: on PostgreSQL the
 *  admin rows are locked (FOR UPDATE) before counting, so the second transaction sees
 *  the first one's result; SQLite runs one writing transaction at a time. */
export function rolesRepository(db: Db) {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;

  return {
    async setRole(id: string, role: Role, now = Date.now()): Promise<RoleChange> {
      return db.transaction().execute(async (trx) => {
        const target = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
        if (!target) return 'not_found';
        if (target.role === role) return { user: target, previous: target.role };
        if (target.role === 'admin') {
          let admins = trx.selectFrom('users').select('id').where('role', '=', 'admin');
          if (isPostgres) admins = admins.forUpdate();
          const ids = (await admins.execute()).map((r) => r.id);
          // Demoted by someone else meanwhile: already what was asked for.
          if (!ids.includes(id)) return { user: { ...target, role }, previous: role };
          if (ids.length <= 1) return 'last_admin';
        }
        await trx.updateTable('users').set({ role, updatedAt: now }).where('id', '=', id).execute();
        return { user: { ...target, role, updatedAt: now }, previous: target.role };
      });
    },
  };
}

export type RolesRepository = ReturnType<typeof rolesRepository>;
