import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { sqliteHandle, type Db } from './connection';
import { isUniqueViolation } from './errors';
import type { UserRow } from './schema';

export type { UserRow };
export type Role = UserRow['role'];

export interface NewUser {
  email: string;
  name: string | null;
  passwordHash: string;
  role?: Role;
}

export interface UserPage {
  users: UserRow[];
  /** Email of the last row when more rows follow. */
  nextAfter: string | null;
}

/** Escapes LIKE wildcards so a search for "a_b%" means exactly that prefix (SQLite
 *  has no default escape character, hence the explicit ESCAPE in the query). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A users row as SQLite returns it for `select *` (column names as in the migration). */
interface UserColumns {
  id: string;
  email: string;
  name: string | null;
  role: UserRow['role'];
  password_hash: string;
  created_at: number;
  updated_at: number;
  password_changed_at: number;
  credential_version: number;
  email_verified_at: number | null;
}

const fromColumns = (c: UserColumns): UserRow => ({
  id: c.id,
  email: c.email,
  name: c.name,
  role: c.role,
  passwordHash: c.password_hash,
  createdAt: c.created_at,
  updatedAt: c.updated_at,
  passwordChangedAt: c.password_changed_at,
  credentialVersion: c.credential_version,
  // better-sqlite3 returns integers as numbers; null stays null.
  emailVerifiedAt: c.email_verified_at,
});

export function usersRepository(db: Db) {
  // The session check reads its user from SQL whenever the user's Redis record is
  // missing (auth/user-records.ts); building and compiling this query each time cost
  // more than running it (CPU profile, docs/performance.md). Compiled once here,
  // only the parameter changes. On SQLite the compiled statement runs straight on the
  // connection: Kysely's executor (connection lock, plugin passes, several awaits) cost
  // about a tenth of GET /api/me's throughput.
  const byId = db.selectFrom('users').selectAll().where('id', '=', '').compile();
  const sqlite = sqliteHandle(db);
  let byIdStatement: ReturnType<NonNullable<typeof sqlite>['prepare']> | undefined;

  return {
    async findById(id: string): Promise<UserRow | undefined> {
      if (sqlite) {
        byIdStatement ??= sqlite.prepare(byId.sql);
        const row = byIdStatement.get(id) as UserColumns | undefined;
        return row && fromColumns(row);
      }
      const { rows } = await db.executeQuery<UserRow>({ ...byId, parameters: [id] });
      return rows[0];
    },

    findByEmail(email: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    },

    /** Inserts a user; `email_taken` when the (normalised) email exists already. The
     *  unique index decides, so two racing registrations cannot both win. */
    async create(input: NewUser, now = Date.now()): Promise<UserRow | 'email_taken'> {
      const row: UserRow = {
        id: randomUUID(),
        email: input.email,
        name: input.name,
        role: input.role ?? 'user',
        passwordHash: input.passwordHash,
        createdAt: now,
        updatedAt: now,
        passwordChangedAt: now,
        credentialVersion: 1,
        emailVerifiedAt: null,
      };
      try {
        await db.insertInto('users').values(row).execute();
        return row;
      } catch (err) {
        if (isUniqueViolation(err)) return 'email_taken';
        throw err;
      }
    },

    /** A new password, if the credential is still the one the caller verified
     *  (`expectedVersion`): the hash, `passwordChangedAt` and a bumped credential version
     *  in one UPDATE, so every session bound to the old credential ends. Returns the new
     *  version, or null when another change came first (nothing written). */
    async changePassword(id: string, passwordHash: string, expectedVersion: number, now = Date.now()): Promise<number | null> {
      const result = await db
        .updateTable('users')
        .set((eb) => ({ passwordHash, passwordChangedAt: now, updatedAt: now, credentialVersion: eb('credentialVersion', '+', 1) }))
        .where('id', '=', id)
        .where('credentialVersion', '=', expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? expectedVersion + 1 : null;
    },

    /** The same password under a better hash (stronger parameters, canonical format):
     *  the credential is unchanged, so sessions are too. Only while the credential is
     *  still `expectedVersion`: a sign-in that verified the old password must never
     *  write it back over a password changed meanwhile. */
    async replaceHash(id: string, passwordHash: string, expectedVersion: number): Promise<void> {
      await db.updateTable('users').set({ passwordHash }).where('id', '=', id).where('credentialVersion', '=', expectedVersion).execute();
    },

    /** Marks `email` as verified, if it is still the user's address (a verification
     *  link for an address changed since proves nothing). Returns whether it applied. */
    async markEmailVerified(id: string, email: string, now = Date.now()): Promise<boolean> {
      const result = await db
        .updateTable('users')
        .set((eb) => ({ emailVerifiedAt: eb.fn.coalesce('emailVerifiedAt', eb.val(now)), updatedAt: now }))
        .where('id', '=', id)
        .where('email', '=', email)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Moves the user to `email`, verified (the new address has just confirmed), if the
     *  account is still at `from`. `email_taken` when another account holds it now: the
     *  unique index decides, so a registration racing the confirmation cannot share it. */
    async changeEmail(id: string, from: string, email: string, now = Date.now()): Promise<'changed' | 'email_taken' | 'stale'> {
      try {
        const result = await db
          .updateTable('users')
          .set({ email, emailVerifiedAt: now, updatedAt: now })
          .where('id', '=', id)
          .where('email', '=', from)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1 ? 'changed' : 'stale';
      } catch (err) {
        if (isUniqueViolation(err)) return 'email_taken';
        throw err;
      }
    },

    /** Deletes a user row; their sessions end on their next request (the row is gone).
     *  Callers go through `userRecords.change`, as for every change of the auth state. */
    async remove(id: string): Promise<void> {
      await db.deleteFrom('users').where('id', '=', id).execute();
    },

    /** Keyset pagination by email (unique), optionally restricted to an email prefix. */
    async list(options: { limit: number; after?: string; emailPrefix?: string }): Promise<UserPage> {
      let q = db
        .selectFrom('users')
        .selectAll()
        .orderBy('email')
        .limit(options.limit + 1);
      if (options.after !== undefined) q = q.where('email', '>', options.after);
      if (options.emailPrefix) q = q.where(sql<boolean>`email like ${likePrefix(options.emailPrefix)} escape '\\'`);
      const rows = await q.execute();
      const users = rows.slice(0, options.limit);
      return { users, nextAfter: rows.length > options.limit ? users[users.length - 1]!.email : null };
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
