import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Accounts one browser is remembered for (the newest first); the cookie stays small. */
const MAX_ENTRIES = 5;
const NONCE_BYTES = 12;

/** One entry: `<nonce>.<issued, base36 ms>.<mac>`, the mac binding both to the account's
 *  email. */
interface Entry {
  nonce: string;
  issuedAt: number;
  mac: string;
  raw: string;
}

function parse(raw: string): Entry | null {
  const [nonce, issued, mac, extra] = raw.split('.');
  if (extra !== undefined || !nonce || !issued || !mac || !/^[A-Za-z0-9_-]+$/.test(nonce + mac)) return null;
  const issuedAt = parseInt(issued, 36);
  return Number.isSafeInteger(issuedAt) ? { nonce, issuedAt, mac, raw } : null;
}

/**
 * OWASP's device cookie (Authentication Cheat Sheet, "Device Cookies"), stateless: a
 * browser that signs in to an account gets a token that only the server could have made
 * (an HMAC under the session secrets, bound to the account's email and to when it was
 * issued), naming a random device id. On a later sign-in, a token that verifies for the
 * email presented makes that browser a known device: the per-account ceiling that stops
 * unknown browsers does not stop it, and its own failures count against that device
 * alone (its own lockout pair), so an attacker elsewhere cannot lock the owner out.
 * The newest secret signs; every secret verifies (rotation). Tokens older than
 * `trustMs` are ignored.
 */
export function deviceTokens(secrets: readonly string[], trustMs: number) {
  const mac = (secret: string, nonce: string, issuedAt: number, email: string) =>
    createHmac('sha256', secret).update(`cloakroom device\n${nonce}\n${issuedAt}\n${email}`).digest('base64url');

  const entries = (cookie: string | undefined): Entry[] =>
    (cookie ?? '')
      .split('~')
      .map(parse)
      .filter((e): e is Entry => e !== null);

  function verifies(entry: Entry, email: string, now: number): boolean {
    if (entry.issuedAt > now || now - entry.issuedAt > trustMs) return false;
    const given = Buffer.from(entry.mac);
    return secrets.some((secret) => {
      const expected = Buffer.from(mac(secret, entry.nonce, entry.issuedAt, email));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }

  return {
    /** The device id this browser holds for `email`, or null for an unknown browser. */
    recognise(cookie: string | undefined, email: string, now = Date.now()): string | null {
      return entries(cookie).find((e) => verifies(e, email, now))?.nonce ?? null;
    },

    /** The cookie value after a successful sign-in to `email`: a fresh token for it
     *  first, then the browser's still-young tokens for other accounts. */
    issue(cookie: string | undefined, email: string, now = Date.now()): string {
      const nonce = randomBytes(NONCE_BYTES).toString('base64url');
      const fresh = `${nonce}.${now.toString(36)}.${mac(secrets[0]!, nonce, now, email)}`;
      const others = entries(cookie).filter((e) => !verifies(e, email, now) && now - e.issuedAt <= trustMs && e.issuedAt <= now);
      return [fresh, ...others.slice(0, MAX_ENTRIES - 1).map((e) => e.raw)].join('~');
    },
  };
}

export type DeviceTokens = ReturnType<typeof deviceTokens>;
