import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Queued mails hold links with live tokens; Redis must not hold them in the clear (a
 *  dump of Redis would otherwise reset any password with a pending mail). Each record is
 *  sealed with AES-256-GCM under a key derived from the session secret: the first secret
 *  seals, every secret in the list unseals, so rotating SESSION_SECRET (prepend the new
 *  one) loses no queued mail. */
const INFO = 'cloakroom mail outbox v1';

const keyOf = (secret: string) => Buffer.from(hkdfSync('sha256', secret, 'cloakroom', INFO, 32));

export function sealer(secrets: readonly [string, ...string[]]) {
  const keys = secrets.map(keyOf);
  return {
    seal(plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys[0]!, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
    },
    /** The plain text, or null when no secret in the list sealed it (or it was altered). */
    unseal(sealed: string): string | null {
      const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
      if (!iv || !tag || !body) return null;
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, iv);
          decipher.setAuthTag(tag);
          return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
        } catch {
          // Not this secret: try the next.
        }
      }
      return null;
    },
  };
}

export type Sealer = ReturnType<typeof sealer>;
