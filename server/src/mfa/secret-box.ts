import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/** Thrown when a stored secret cannot be opened: no configured key made it, or it was
 *  tampered with (GCM's tag does not match). */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

interface Key {
  id: string;
  bytes: Buffer;
}

/** A 256-bit key from a configured secret (HKDF-SHA256): the secret may be any long
 *  random string, and a key for another purpose would be derived apart. */
function deriveKey(secret: string): Key {
  const bytes = Buffer.from(hkdfSync('sha256', secret, 'cloakroom', 'cloakroom data encryption v1', 32));
  // Names the key in each ciphertext, so rotation knows which key to open it with.
  return { id: createHash('sha256').update(bytes).digest('base64url').slice(0, 8), bytes };
}

/**
 * Encryption at rest (AES-256-GCM) under DATA_ENCRYPTION_KEY, a list for rotation: the
 * first key encrypts, every key decrypts. A ciphertext is bound to what it is for (the
 * associated data, e.g. the user id), so a value copied to another row does not open.
 * Format: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts).
 */
export function secretBox(secrets: readonly string[]) {
  if (secrets.length === 0) throw new SecretBoxError('no encryption key configured');
  const keys = secrets.map(deriveKey);
  const current = keys[0]!;

  return {
    seal(plaintext: string, boundTo: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.bytes, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', current.id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },

    open(sealed: string, boundTo: string): string {
      const [version, keyId, iv, ciphertext, tag] = sealed.split('.');
      const key = keys.find((k) => k.id === keyId);
      if (version !== 'v1' || !key || !iv || ciphertext === undefined || !tag) throw new SecretBoxError('sealed under no configured key');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(boundTo));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('does not open (tampered, or bound to something else)');
      }
    },

    /** Whether a value was sealed under an older key (re-seal it when next used). */
    isStale(sealed: string): boolean {
      return sealed.split('.')[1] !== current.id;
    },
  };
}

export type SecretBox = ReturnType<typeof secretBox>;
