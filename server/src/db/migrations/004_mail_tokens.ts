import type { Kysely } from 'kysely';

/** Email verification and the one-time tokens that mailed links carry (issue 11).
 *  `email_verified_at`: when the user proved they receive mail at `email`; existing
 *  users start unverified (null). `mail_tokens`: reset, verification and email-change
 *  tokens, stored only as a SHA-256 of the token (the token itself is 256 random bits,
 *  so a fast hash is enough: nothing to brute-force), each bound to its purpose and to
 *  the address it was mailed to. Rows go with their user. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
  await db.schema
    .createTable('mail_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  // "Void this user's older tokens of one purpose" on every new one.
  await db.schema.createIndex('mail_tokens_user_purpose_idx').on('mail_tokens').columns(['user_id', 'purpose']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mail_tokens').execute();
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
}
