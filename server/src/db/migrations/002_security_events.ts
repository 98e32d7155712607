import type { Kysely } from 'kysely';

/** The per-user audit trail (login success and failure, logout, revocations, password
 *  and role changes, lockouts). Rows go with their user. `details` is JSON text, so the
 *  same column type serves SQLite and PostgreSQL. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('security_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('details', 'text')
    .execute();
  // "The caller's recent events": newest first for one user.
  await db.schema.createIndex('security_events_user_at_idx').on('security_events').columns(['user_id', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('security_events').execute();
}
