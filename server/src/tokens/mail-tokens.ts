import { createHash, randomBytes } from 'node:crypto';
import type { MailTokenRow, MailTokensRepository } from '../db/mail-tokens';
import type { MailTokenPurpose } from '../db/schema';

export type { MailTokenPurpose };

/** 256 bits: guessing one is hopeless, so a plain SHA-256 (not a slow password hash)
 *  is enough to make a stolen table worthless (ASVS 6.4.1). */
const TOKEN_BYTES = 32;

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface TokenTtls {
  /** password_reset */
  resetMs: number;
  /** email_verify and email_change */
  verifyMs: number;
}

/**
 * One-time tokens for mailed links: random, stored only as a hash, bound to their
 * purpose and to the address they were mailed to, single-use, with a lifetime per
 * purpose. Issuing one voids the user's older ones of the same purpose.
 */
export function mailTokens(repository: MailTokensRepository, ttls: TokenTtls) {
  const ttlOf = (purpose: MailTokenPurpose) => (purpose === 'password_reset' ? ttls.resetMs : ttls.verifyMs);

  return {
    /** A new token for the link; only its hash is kept. */
    async issue(userId: string, purpose: MailTokenPurpose, email: string, now = Date.now()): Promise<string> {
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      await repository.replace({ tokenHash: hashOf(token), userId, purpose, email, createdAt: now, expiresAt: now + ttlOf(purpose) });
      // Expired tokens already fail every check; forgetting them keeps the table small.
      await repository.purgeExpired(now);
      return token;
    },

    /** The live token's row, still unused (for checks that must pass before it is spent). */
    peek(token: string, purpose: MailTokenPurpose): Promise<MailTokenRow | undefined> {
      return repository.find(hashOf(token), purpose);
    },

    /** Spends the token: true for exactly one caller while it is live. */
    take(token: string, purpose: MailTokenPurpose): Promise<boolean> {
      return repository.take(hashOf(token), purpose);
    },

    voidAll: (userId: string, purpose: MailTokenPurpose) => repository.voidAll(userId, purpose),
  };
}

export type MailTokens = ReturnType<typeof mailTokens>;
