import type { Kysely } from 'kysely';

/** Each user's credential version (issue 8.1): bumped by the same UPDATE that changes
 *  the password hash, and by every later credential change (reset, admin action). A
 *  session records the version its sign-in verified and ends when the two differ, so
 *  a sign-in that read the row before a change cannot outlive it. Existing rows start
 *  at 1; sessions written before this column existed carry no version and keep the old
 *  rule (they end if they began before `password_changed_at`). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('credential_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('credential_version').execute();
}
