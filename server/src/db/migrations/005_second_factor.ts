import type { Kysely } from 'kysely';

/** The second factor (issue 12). One authenticator (TOTP) per user: its secret is
 *  stored only encrypted (AES-256-GCM under DATA_ENCRYPTION_KEY, mfa/secret-box.ts);
 *  `confirmed_at` is null while setup waits for the first code; `last_used_step` is the
 *  30-second step of the last accepted code, so a code is accepted once (the UPDATE
 *  that accepts it requires a later step). Recovery codes are stored only as SHA-256
 *  hashes (each has 120 random bits); `used_at` makes each single-use. Rows go with
 *  their user. `users.second_factor_at` says whether (since when) the user has a second
 *  factor: it is part of the user's auth state (auth/user-state.ts), so the session check
 *  (REQUIRE_2FA_FOR_ROLES) reads it from the user's Redis record, with no SQL. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('second_factor_at', 'bigint').execute();
  await db.schema
    .createTable('totp_credentials')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('last_used_step', 'bigint')
    .execute();
  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.dropTable('totp_credentials').execute();
  await db.schema.alterTable('users').dropColumn('second_factor_at').execute();
}
