import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { CreationOptions, RegistrationResponse } from '@cloakroom/shared';
import type { ClientContext } from '../auth/client';
import type { WebAuthnConfig } from '../config/webauthn';
import { transportsOf, type PasskeyRow, type PasskeysRepository } from '../db/passkeys';
import type { SecurityEvents } from '../events/security-events';
import type { ChallengeStore } from './challenges';
import { webauthnUserId } from './user-handle';

/** More than anyone needs, few enough that excludeCredentials stays small. */
export const MAX_PASSKEYS_PER_USER = 20;

export type RegistrationResult = { ok: true; passkey: PasskeyRow } | { ok: false; reason: 'no_challenge' | 'unverified' | 'already_registered' | 'too_many' };

export interface Owner {
  id: string;
  email: string;
  name: string | null;
}

/**
 * Adding a passkey to a signed-in account, in two steps bound to the caller's session:
 * options (a fresh challenge kept server-side), then the browser's answer, verified by
 * @simplewebauthn/server against that challenge, our origins and RP ID, with user
 * verification required. Only discoverable credentials are asked for (residentKey
 * required): they are what lets a passkey sign in without an email. No attestation is
 * asked for ("none"): we trust the user's choice of authenticator, not its make.
 */
export function passkeyRegistration(deps: { config: WebAuthnConfig; passkeys: PasskeysRepository; challenges: ChallengeStore; events: SecurityEvents }) {
  const { config, passkeys, challenges, events } = deps;

  return {
    async options(user: Owner, binding: string): Promise<CreationOptions> {
      const existing = await passkeys.listForUser(user.id);
      const options = await generateRegistrationOptions({
        rpName: config.rpName,
        rpID: config.rpId,
        userName: user.email,
        userDisplayName: user.name ?? user.email,
        userID: webauthnUserId(user.id),
        attestationType: 'none',
        // The authenticator refuses to make a second credential for this account.
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      });
      await challenges.issue('register', binding, { challenge: options.challenge, userId: user.id });
      return options as CreationOptions;
    },

    async complete(user: Owner, binding: string, response: RegistrationResponse, name: string | undefined, client: ClientContext): Promise<RegistrationResult> {
      // Taken (and so spent) before anything else: a failed answer cannot be retried
      // against the same challenge.
      const pending = await challenges.take('register', binding);
      if (!pending || pending.userId !== user.id) return { ok: false, reason: 'no_challenge' };
      let info;
      try {
        const verification = await verifyRegistrationResponse({
          response: response,
          expectedChallenge: pending.challenge,
          expectedOrigin: config.origins,
          expectedRPID: config.rpId,
          requireUserVerification: true,
        });
        if (!verification.verified) return { ok: false, reason: 'unverified' };
        info = verification.registrationInfo;
      } catch {
        return { ok: false, reason: 'unverified' };
      }
      const count = await passkeys.countForUser(user.id);
      if (count >= MAX_PASSKEYS_PER_USER) return { ok: false, reason: 'too_many' };
      const passkey = await passkeys.insert({
        userId: user.id,
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: info.credential.transports ?? response.response.transports,
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        aaguid: info.aaguid,
        name: name ?? `Passkey ${count + 1}`,
      });
      if (!passkey) return { ok: false, reason: 'already_registered' };
      await events.record(user.id, 'passkey_added', client, { passkey: passkey.id, name: passkey.name, synced: info.credentialBackedUp });
      return { ok: true, passkey };
    },
  };
}

export type PasskeyRegistration = ReturnType<typeof passkeyRegistration>;
