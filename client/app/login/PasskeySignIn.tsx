'use client';

import { useState } from 'react';
import { api, messageFor } from '../../lib/api';
import { safeNextPath } from '../../lib/next-path';
import { provePasskey } from '../../lib/passkeys';
import { usePasskeysSupported } from '../components/use-passkeys-supported';

/** "Sign in with a passkey": no email, no password; the browser offers the passkeys it holds
 *  for this site. Shown only where the browser can do WebAuthn. */
export function PasskeySignIn({ next }: { next: string | null }) {
  const supported = usePasskeysSupported();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!supported) return null;

  async function signIn() {
    setPending(true);
    setError(null);
    const options = await api.passkeyLoginOptions();
    if (!options.ok) {
      setPending(false);
      return setError(messageFor(options.error));
    }
    const ceremony = await provePasskey(options.data);
    if (!ceremony.ok) {
      setPending(false);
      return setError(ceremony.message);
    }
    const res = await api.passkeyLogin({ body: { response: ceremony.response } });
    if (!res.ok) {
      setPending(false);
      return setError(
        res.error.code === 'invalid_passkey' ? 'That passkey was not accepted. Try again, or sign in with your password.' : messageFor(res.error),
      );
    }
    // A full page load: the proxy sees the new cookie and the page renders for this user.
    window.location.assign(safeNextPath(next));
  }

  return (
    <div className="passkey-sign-in">
      <p className="hint">Or, without a password:</p>
      <div role="alert">{error && <p className="form-error">{error}</p>}</div>
      <button type="button" className="secondary" onClick={() => void signIn()} disabled={pending} aria-busy={pending}>
        {pending ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
      </button>
    </div>
  );
}
