import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponse, RequestOptions } from '@cloakroom/shared';
import type { ClientContext } from '../auth/client';
import type { WebAuthnConfig } from '../config/webauthn';
import { transportsOf, type PasskeyRow, type PasskeysRepository } from '../db/passkeys';
import type { SecurityEvents } from '../events/security-events';
import type { Ceremony, ChallengeStore } from './challenges';
import { userIdOfHandle } from './user-handle';

/** Ceremonies that prove possession of a passkey: a sign-in with the passkey alone, and a
 *  re-authentication (or second factor) of a known user. */
export type AssertionCeremony = Exclude<Ceremony, 'register'>;

export type AssertionFailure =
  'no_challenge' | 'unknown_passkey' | 'not_this_user' | 'unverified' | 'counter_regressed' | 'backup_eligibility_changed' | 'used_concurrently';

export type AssertionResult = { ok: true; passkey: PasskeyRow; userId: string } | { ok: false; reason: AssertionFailure };

/** The signature counter rule of WebAuthn §6.1.1 (and @simplewebauthn/server's): when
 *  either side has ever counted, the new value must be greater. A smaller or equal one
 *  from a valid signature means two copies of the private key are in use: a cloned
 *  authenticator. Authenticators that never count (synced passkeys report 0) pass. */
export function counterRegressed(stored: number, received: number): boolean {
  return (received > 0 || stored > 0) && received <= stored;
}

/**
 * Proving possession of a passkey against a challenge this server issued to this caller:
 * options (user verification required; for a known user, their passkeys are listed, for a
 * sign-in none are, so the browser offers the discoverable ones), then the answer,
 * verified by @simplewebauthn/server against the challenge, our origins and RP ID and the
 * stored public key. What the library asks us to keep is kept: the counter (checked
 * here, after the signature, so only a real key can report a clone) and the backup state.
 */
export function passkeyAssertion(deps: { config: WebAuthnConfig; passkeys: PasskeysRepository; challenges: ChallengeStore; events: SecurityEvents }) {
  const { config, passkeys, challenges, events } = deps;

  async function reject(passkey: PasskeyRow, reason: AssertionFailure, client: ClientContext, details: Record<string, unknown>): Promise<AssertionResult> {
    await events.record(passkey.userId, 'passkey_rejected', client, { passkey: passkey.id, name: passkey.name, reason, ...details });
    return { ok: false, reason };
  }

  return {
    async options(ceremony: AssertionCeremony, binding: string, user?: { id: string }): Promise<RequestOptions> {
      const allow = user ? (await passkeys.listForUser(user.id)).map((p) => ({ id: p.credentialId, transports: transportsOf(p) })) : undefined;
      const options = await generateAuthenticationOptions({ rpID: config.rpId, userVerification: 'required', allowCredentials: allow });
      await challenges.issue(ceremony, binding, { challenge: options.challenge, ...(user ? { userId: user.id } : {}) });
      return options as RequestOptions;
    },

    /** `user`: the account the answer must come from (re-authentication, second factor);
     *  absent for a sign-in, where the passkey names its owner. */
    async verify(
      ceremony: AssertionCeremony,
      binding: string,
      response: AuthenticationResponse,
      client: ClientContext,
      user?: { id: string },
    ): Promise<AssertionResult> {
      // Spent before anything else: one answer per challenge, right or wrong.
      const pending = await challenges.take(ceremony, binding);
      if (!pending || pending.userId !== user?.id) return { ok: false, reason: 'no_challenge' };
      const passkey = await passkeys.findByCredentialId(response.id);
      if (!passkey) return { ok: false, reason: 'unknown_passkey' };
      if (user && passkey.userId !== user.id) return { ok: false, reason: 'not_this_user' };
      // A discoverable credential names its account; it must be the passkey's owner.
      if (response.response.userHandle !== undefined && userIdOfHandle(response.response.userHandle) !== passkey.userId) {
        return { ok: false, reason: 'not_this_user' };
      }

      let info;
      try {
        const verification = await verifyAuthenticationResponse({
          response: response,
          expectedChallenge: pending.challenge,
          expectedOrigin: config.origins,
          expectedRPID: config.rpId,
          // The counter is checked below, once the signature is known to be good; the
          // library's own check would refuse the same answers before saying whose they are.
          credential: { id: passkey.credentialId, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: 0, transports: transportsOf(passkey) },
          requireUserVerification: true,
        });
        if (!verification.verified) return { ok: false, reason: 'unverified' };
        info = verification.authenticationInfo;
      } catch {
        return { ok: false, reason: 'unverified' };
      }

      if (counterRegressed(passkey.counter, info.newCounter)) {
        return reject(passkey, 'counter_regressed', client, { storedCounter: passkey.counter, receivedCounter: info.newCounter });
      }
      // Backup eligibility is fixed for a credential's life (WebAuthn §6.1.3): a change
      // means this is not the authenticator that registered it.
      if (info.credentialDeviceType !== passkey.deviceType) {
        return reject(passkey, 'backup_eligibility_changed', client, { registered: passkey.deviceType, received: info.credentialDeviceType });
      }
      const recorded = await passkeys.recordUse(passkey.id, passkey.counter, { counter: info.newCounter, backedUp: info.credentialBackedUp, at: Date.now() });
      // Another answer with this counter value got there first: only one of them counts.
      if (!recorded) return { ok: false, reason: 'used_concurrently' };
      return { ok: true, passkey, userId: passkey.userId };
    },
  };
}

export type PasskeyAssertion = ReturnType<typeof passkeyAssertion>;
