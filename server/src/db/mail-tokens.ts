import type { Db } from './connection';
import type { MailTokenPurpose, MailTokensTable } from './schema';

export type MailTokenRow = MailTokensTable;

/** The one-time tokens of mailed links, by their hash (the token itself is never stored). */
export function mailTokensRepository(db: Db) {
  return {
    /** Stores a new token and voids every older one of the same user and purpose, in
     *  one transaction: only the newest link works. */
    async replace(row: MailTokenRow): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('mailTokens').where('userId', '=', row.userId).where('purpose', '=', row.purpose).execute();
        await trx.insertInto('mailTokens').values(row).execute();
      });
    },

    /** The live token with this hash and purpose, without using it up. */
    find(tokenHash: string, purpose: MailTokenPurpose, now = Date.now()): Promise<MailTokenRow | undefined> {
      return db
        .selectFrom('mailTokens')
        .selectAll()
        .where('tokenHash', '=', tokenHash)
        .where('purpose', '=', purpose)
        .where('expiresAt', '>', now)
        .executeTakeFirst();
    },

    /** Uses the token up: true for exactly one caller, however many race (the DELETE
     *  decides), and only while it is live. */
    async take(tokenHash: string, purpose: MailTokenPurpose, now = Date.now()): Promise<boolean> {
      const result = await db
        .deleteFrom('mailTokens')
        .where('tokenHash', '=', tokenHash)
        .where('purpose', '=', purpose)
        .where('expiresAt', '>', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    /** Voids every token of one user and purpose (a password change voids reset links). */
    async voidAll(userId: string, purpose: MailTokenPurpose): Promise<void> {
      await db.deleteFrom('mailTokens').where('userId', '=', userId).where('purpose', '=', purpose).execute();
    },

    /** Forgets expired tokens (they already fail every check; this only keeps the table small). */
    async purgeExpired(now = Date.now()): Promise<void> {
      await db.deleteFrom('mailTokens').where('expiresAt', '<=', now).execute();
    },
  };
}

export type MailTokensRepository = ReturnType<typeof mailTokensRepository>;
