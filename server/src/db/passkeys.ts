import { randomBytes } from 'node:crypto';
import type { Db } from './connection';
import { isUniqueViolation } from './errors';
import type { PasskeysTable } from './schema';

export type PasskeyRow = PasskeysTable;

export interface NewPasskey {
  userId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[] | undefined;
  deviceType: PasskeyRow['deviceType'];
  backedUp: boolean;
  aaguid: string | null;
  name: string;
}

/** What a verified sign-in changes on the credential. */
export interface PasskeyUse {
  counter: number;
  backedUp: boolean;
  at: number;
}

export const transportsOf = (row: Pick<PasskeyRow, 'transports'>): string[] | undefined => {
  if (!row.transports) return undefined;
  try {
    const value: unknown = JSON.parse(row.transports);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : undefined;
  } catch {
    return undefined;
  }
};

/** Passkeys in SQL. Every read and write of one passkey by a user names the user too, so a
 *  passkey ID of someone else's finds nothing (404, not 403: it says nothing about it). */
export function passkeysRepository(db: Db) {
  return {
    /** The new row, or null when the credential is registered already (to anyone). */
    async insert(passkey: NewPasskey, now = Date.now()): Promise<PasskeyRow | null> {
      const row: PasskeyRow = {
        id: randomBytes(16).toString('base64url'),
        userId: passkey.userId,
        credentialId: passkey.credentialId,
        publicKey: passkey.publicKey,
        counter: passkey.counter,
        transports: passkey.transports ? JSON.stringify(passkey.transports) : null,
        deviceType: passkey.deviceType,
        backedUp: passkey.backedUp ? 1 : 0,
        aaguid: passkey.aaguid,
        name: passkey.name,
        createdAt: now,
        lastUsedAt: null,
      };
      try {
        await db.insertInto('passkeys').values(row).execute();
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
      return row;
    },

    async listForUser(userId: string): Promise<PasskeyRow[]> {
      return db.selectFrom('passkeys').selectAll().where('userId', '=', userId).orderBy('createdAt', 'asc').orderBy('id', 'asc').execute();
    },

    async countForUser(userId: string): Promise<number> {
      const row = await db
        .selectFrom('passkeys')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('userId', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async findByCredentialId(credentialId: string): Promise<PasskeyRow | undefined> {
      return db.selectFrom('passkeys').selectAll().where('credentialId', '=', credentialId).executeTakeFirst();
    },

    /** Records a verified use. The counter only moves forward: the WHERE makes two
     *  sign-ins racing with one counter value count once (the second changes nothing). */
    async recordUse(id: string, previousCounter: number, use: PasskeyUse): Promise<boolean> {
      const result = await db
        .updateTable('passkeys')
        .set({ counter: use.counter, backedUp: use.backedUp ? 1 : 0, lastUsedAt: use.at })
        .where('id', '=', id)
        .where('counter', '=', previousCounter)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async rename(userId: string, id: string, name: string): Promise<PasskeyRow | undefined> {
      const result = await db.updateTable('passkeys').set({ name }).where('id', '=', id).where('userId', '=', userId).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      return db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** True when the user had this passkey (and now has not). */
    async remove(userId: string, id: string): Promise<PasskeyRow | undefined> {
      const row = await db.selectFrom('passkeys').selectAll().where('id', '=', id).where('userId', '=', userId).executeTakeFirst();
      if (!row) return undefined;
      const result = await db.deleteFrom('passkeys').where('id', '=', id).where('userId', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) === 1 ? row : undefined;
    },
  };
}

export type PasskeysRepository = ReturnType<typeof passkeysRepository>;
