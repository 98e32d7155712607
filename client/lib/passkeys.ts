import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/browser';
import type { AuthenticationResponse, CreationOptions, RegistrationResponse, RequestOptions } from '@cloakroom/shared';

/** The browser's half of a passkey ceremony (@simplewebauthn/browser): the options from the
 *  API in, the browser's answer out, or words a person can act on. */
export type Ceremony<T> = { ok: true; response: T } | { ok: false; message: string };

export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

function explain(err: unknown, creating: boolean): string {
  const code = err instanceof WebAuthnError ? err.code : undefined;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'This device already holds a passkey for this account.';
  if (code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID')
    return 'Passkeys are not available at this address: open the site at its usual https:// address (or localhost).';
  if (code === 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT' || code === 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT')
    return 'This authenticator cannot hold a passkey that unlocks with a PIN or biometric; try another one.';
  const name = err instanceof Error ? (err.cause instanceof Error ? err.cause.name : err.name) : '';
  if (name === 'NotAllowedError' || code === 'ERROR_CEREMONY_ABORTED')
    return creating ? 'No passkey was created: the request was cancelled or timed out.' : 'No passkey was used: the request was cancelled or timed out.';
  return creating ? 'The browser could not create a passkey.' : 'The browser could not use a passkey.';
}

export async function createPasskey(options: CreationOptions): Promise<Ceremony<RegistrationResponse>> {
  try {
    const response = await startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON });
    return { ok: true, response: response as RegistrationResponse };
  } catch (err) {
    return { ok: false, message: explain(err, true) };
  }
}

export async function provePasskey(options: RequestOptions): Promise<Ceremony<AuthenticationResponse>> {
  try {
    const response = await startAuthentication({ optionsJSON: options });
    return { ok: true, response: response as AuthenticationResponse };
  } catch (err) {
    return { ok: false, message: explain(err, false) };
  }
}
