import { generateSecret, generateURI, verify } from 'otplib';
import { TOTP_DIGITS, TOTP_PERIOD_SECONDS } from '@cloakroom/shared';

/** RFC 6238 through otplib: SHA-1, 30-second steps, 6 digits (what every authenticator
 *  app does), a 160-bit secret, and ±1 step of clock drift. */

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URL an app scans: issuer and account name label the entry. */
export function totpUrl(secret: string, issuer: string, account: string): string {
  return generateURI({ strategy: 'totp', issuer, label: account, secret, digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

/** The time step a code belongs to, if it is right for now ±1 step; null otherwise.
 *  The caller accepts each step at most once (replay). */
export async function matchingStep(secret: string, code: string, nowMs: number): Promise<number | null> {
  const epoch = Math.floor(nowMs / 1000);
  const result = await verify({ secret, token: code, epoch, epochTolerance: TOTP_PERIOD_SECONDS, digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
  if (!result.valid) return null;
  return Math.floor(epoch / TOTP_PERIOD_SECONDS) + result.delta;
}
