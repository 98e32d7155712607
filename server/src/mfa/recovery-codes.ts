import { createHash, randomBytes } from 'node:crypto';
import { RECOVERY_CODE_COUNT } from '@cloakroom/shared';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** 24 base32 characters: 120 random bits each, so a plain SHA-256 is a sound way to
 *  store them (ASVS 6.5.2: lookup secrets of at least 112 bits), and a lookup is one
 *  indexed query instead of ten slow hashes. Shown in groups of four. */
function newCode(): string {
  const bytes = randomBytes(24);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
}

/** The stored form of a code, from its normalised form (shared recoveryCodeSchema:
 *  lower case, no dashes or spaces) or as printed. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(code.replace(/[\s-]+/g, '').toLowerCase())
    .digest('base64url');
}
