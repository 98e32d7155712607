import type { Db } from './connection';

export interface TotpRow {
  /** Encrypted (mfa/secret-box.ts). */
  secret: string;
  confirmedAt: number | null;
  lastUsedStep: number | null;
}

/** The second-factor tables (migrations/005_second_factor.ts). Every change that must
 *  happen once (a code used once, a step accepted once) is one conditional UPDATE, so
 *  two instances racing with the same code cannot both win. */
export function secondFactorsRepository(db: Db) {
  return {
    async findTotp(userId: string): Promise<TotpRow | null> {
      const row = await db.selectFrom('totpCredentials').select(['secret', 'confirmedAt', 'lastUsedStep']).where('userId', '=', userId).executeTakeFirst();
      return row ?? null;
    },

    /** A new, unconfirmed secret (replacing an unconfirmed one). False when a confirmed
     *  one exists. */
    async putUnconfirmedTotp(userId: string, secret: string, now: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('totpCredentials').select('confirmedAt').where('userId', '=', userId).executeTakeFirst();
        if (existing?.confirmedAt != null) return false;
        if (existing) await trx.deleteFrom('totpCredentials').where('userId', '=', userId).execute();
        await trx.insertInto('totpCredentials').values({ userId, secret, createdAt: now, confirmedAt: null, lastUsedStep: null }).execute();
        return true;
      });
    },

    /** Accepts `step` once: true only if no code of this or a later step was accepted. */
    async acceptStep(userId: string, step: number): Promise<boolean> {
      const result = await db
        .updateTable('totpCredentials')
        .set({ lastUsedStep: step })
        .where('userId', '=', userId)
        .where((eb) => eb.or([eb('lastUsedStep', 'is', null), eb('lastUsedStep', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Turns the pending secret on, with its recovery codes, in one transaction. False
     *  if it was confirmed meanwhile (or removed). */
    async confirmTotp(userId: string, step: number, codeHashes: string[], now: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('totpCredentials')
          .set({ confirmedAt: now, lastUsedStep: step })
          .where('userId', '=', userId)
          .where('confirmedAt', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await trx.updateTable('users').set({ secondFactorAt: now }).where('id', '=', userId).execute();
        await trx.deleteFrom('recoveryCodes').where('userId', '=', userId).execute();
        await trx
          .insertInto('recoveryCodes')
          .values(codeHashes.map((codeHash) => ({ userId, codeHash, createdAt: now, usedAt: null })))
          .execute();
        return true;
      });
    },

    /** The same secret under the current key (compare-and-set on the old ciphertext). */
    async resealTotp(userId: string, before: string, after: string): Promise<void> {
      await db.updateTable('totpCredentials').set({ secret: after }).where('userId', '=', userId).where('secret', '=', before).execute();
    },

    /** Deletes the authenticator and every recovery code. False if there was none. */
    async removeTotp(userId: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom('totpCredentials').where('userId', '=', userId).where('confirmedAt', 'is not', null).executeTakeFirst();
        await trx.deleteFrom('recoveryCodes').where('userId', '=', userId).execute();
        // The only second factor there is yet (passkeys: keep it set while one remains).
        await trx.updateTable('users').set({ secondFactorAt: null }).where('id', '=', userId).execute();
        return Number(result.numDeletedRows) === 1;
      });
    },

    async replaceRecoveryCodes(userId: string, codeHashes: string[], now: number): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('recoveryCodes').where('userId', '=', userId).execute();
        await trx
          .insertInto('recoveryCodes')
          .values(codeHashes.map((codeHash) => ({ userId, codeHash, createdAt: now, usedAt: null })))
          .execute();
      });
    },

    /** Uses the code with this hash: true once, false ever after (or if it is not theirs). */
    async useRecoveryCode(userId: string, codeHash: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('recoveryCodes')
        .set({ usedAt: now })
        .where('userId', '=', userId)
        .where('codeHash', '=', codeHash)
        .where('usedAt', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async unusedRecoveryCodes(userId: string): Promise<number> {
      const row = await db
        .selectFrom('recoveryCodes')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('userId', '=', userId)
        .where('usedAt', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Whether any user has second-factor data (production needs DATA_ENCRYPTION_KEY then). */
    async anyTotp(): Promise<boolean> {
      return (await db.selectFrom('totpCredentials').select('userId').limit(1).executeTakeFirst()) !== undefined;
    },
  };
}

export type SecondFactorsRepository = ReturnType<typeof secondFactorsRepository>;
