'use client';

import { useState } from 'react';
import type { SecondFactorMethod } from '@cloakroom/shared';
import { api, messageFor } from '../../lib/api';
import { provePasskey } from '../../lib/passkeys';
import { Field, FormError } from '../components/Field';
import { useApiForm } from '../components/use-api-form';
import { usePasskeysSupported } from '../components/use-passkeys-supported';

/** The second step of signing in: a code from the authenticator app, a recovery code, or
 *  (when the account has one and the browser can) a passkey. The session is pending until
 *  then (not signed in); it lasts 5 minutes and 5 wrong answers, after which `onExpired`
 *  starts over from the password. */
export function SecondFactorForm({ methods, onSignedIn, onExpired }: { methods: SecondFactorMethod[]; onSignedIn: () => void; onExpired: () => void }) {
  const [recovery, setRecovery] = useState(false);
  const passkeys = usePasskeysSupported() && methods.includes('passkey');
  const [passkeyError, setPasskeyError] = useState<string | null>(null);
  const [proving, setProving] = useState(false);
  const field = recovery ? 'recoveryCode' : 'code';
  const form = useApiForm(
    [field],
    async (v) => {
      const res = await api.verifySecondFactor({ body: recovery ? { recoveryCode: v.recoveryCode! } : { code: v.code! } });
      if (!res.ok && res.error.code === 'unauthenticated') onExpired();
      if (!res.ok && res.error.code === 'invalid_code') {
        return { ok: false, error: { ...res.error, details: [{ path: field, code: 'invalid_code', message: res.error.message }] } };
      }
      return res;
    },
    onSignedIn,
  );

  /** The passkey's answer to a challenge of this pending sign-in, in place of a code. */
  async function withPasskey() {
    setProving(true);
    setPasskeyError(null);
    const failed = (message: string | null) => {
      setProving(false);
      setPasskeyError(message);
    };
    const options = await api.passkeySecondFactorOptions();
    if (!options.ok) return options.error.code === 'unauthenticated' ? onExpired() : failed(messageFor(options.error));
    const ceremony = await provePasskey(options.data);
    if (!ceremony.ok) return failed(ceremony.message);
    const res = await api.verifySecondFactor({ body: { passkey: ceremony.response } });
    if (res.ok) return onSignedIn();
    if (res.error.code === 'unauthenticated') return onExpired();
    failed(res.error.code === 'invalid_passkey' ? 'That passkey was not accepted. Try again, or use a code.' : messageFor(res.error));
  }

  return (
    <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending || proving} aria-labelledby="second-factor-title">
      <h2 id="second-factor-title">Two-step verification</h2>
      <FormError message={form.general ?? passkeyError} />
      {recovery ? (
        <Field
          key="recoveryCode"
          name="recoveryCode"
          label="Recovery code"
          autoComplete="off"
          required
          autoFocus
          hint="One of the codes you saved when you set up your authenticator app."
          error={form.errors.recoveryCode}
        />
      ) : (
        <Field
          key="code"
          name="code"
          label="Code from your authenticator app"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          autoFocus
          error={form.errors.code}
        />
      )}
      <button type="submit" disabled={form.pending}>
        {form.pending ? 'Checking…' : 'Verify'}
      </button>
      {methods.includes('recovery_code') && (
        <button type="button" className="link-button" onClick={() => setRecovery(!recovery)}>
          {recovery ? 'Use a code from the app instead' : 'Use a recovery code instead'}
        </button>
      )}
      {passkeys && (
        <button type="button" className="secondary" onClick={() => void withPasskey()} disabled={proving}>
          {proving ? 'Waiting for your passkey…' : 'Use a passkey instead'}
        </button>
      )}
    </form>
  );
}
