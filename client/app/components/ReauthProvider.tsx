'use client';

import { createContext, useContext, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, messageFor, type ApiResult } from '../../lib/api';
import { provePasskey } from '../../lib/passkeys';
import { Field, FormError } from './Field';
import { textOf } from './use-api-form';
import { usePasskeysSupported } from './use-passkeys-supported';

/** Runs a request; when the API answers 403 reauth_required, asks the user to confirm it
 *  is them (password, or a code from their authenticator app), then runs it once more.
 *  Cancelling gives back the original answer. */
export type WithReauth = <T>(request: () => Promise<ApiResult<T>>) => Promise<ApiResult<T>>;

const passThrough: WithReauth = (request) => request();
const ReauthContext = createContext<WithReauth>(passThrough);

/** The step-up of the signed-in pages' actions. Without a provider, requests run as they are. */
export const useReauth = (): WithReauth => useContext(ReauthContext);

type Asking = { usesCode: boolean; resolve: (confirmed: boolean) => void };

/** Provides `useReauth()` to the panels inside it, and owns the one dialog that asks. */
export function ReauthProvider({ children }: { children: ReactNode }) {
  const [asking, setAsking] = useState<Asking | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const passkeys = usePasskeysSupported();

  async function ask(): Promise<boolean> {
    const status = await api.twoFactorStatus();
    const usesCode = status.ok && status.data.totp;
    setError(null);
    return new Promise<boolean>((resolve) => {
      setAsking({ usesCode, resolve });
      // After React has rendered the dialog's content.
      queueMicrotask(() => dialog.current?.showModal());
    });
  }

  const withReauth: WithReauth = async (request) => {
    const first = await request();
    if (first.ok || first.error.code !== 'reauth_required') return first;
    return (await ask()) ? request() : first;
  };

  function close(confirmed: boolean) {
    dialog.current?.close();
    asking?.resolve(confirmed);
    setAsking(null);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!asking) return;
    const value = textOf(new FormData(event.currentTarget).get('reauth'));
    setPending(true);
    const res = await api.reauthenticate({ body: asking.usesCode ? { code: value } : { password: value } });
    setPending(false);
    if (res.ok) return close(true);
    setError(res.error.code === 'validation_failed' ? (res.error.details?.[0]?.message ?? messageFor(res.error)) : messageFor(res.error));
  }

  /** The other way to confirm: one of the user's passkeys, against a challenge of this session. */
  async function withPasskey() {
    setPending(true);
    setError(null);
    const options = await api.passkeyReauthOptions();
    if (!options.ok) {
      setPending(false);
      return setError(options.error.code === 'not_found' ? 'You have no passkey yet: confirm another way.' : messageFor(options.error));
    }
    const ceremony = await provePasskey(options.data);
    if (!ceremony.ok) {
      setPending(false);
      return setError(ceremony.message);
    }
    const res = await api.reauthenticate({ body: { passkey: ceremony.response } });
    setPending(false);
    if (res.ok) return close(true);
    setError(res.error.code === 'invalid_credentials' ? 'That passkey did not confirm it is you.' : messageFor(res.error));
  }

  return (
    <ReauthContext.Provider value={withReauth}>
      {children}
      <dialog ref={dialog} aria-labelledby="reauth-title" onCancel={() => close(false)} className="card">
        {asking && (
          <form onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={pending}>
            <h2 id="reauth-title">Confirm it is you</h2>
            <p>This is a sensitive change. {asking.usesCode ? 'Enter the code from your authenticator app.' : 'Enter your password.'}</p>
            <FormError message={error} />
            {asking.usesCode ? (
              <Field name="reauth" label="Authenticator code" inputMode="numeric" autoComplete="one-time-code" required autoFocus />
            ) : (
              <Field name="reauth" label="Password" type="password" autoComplete="current-password" required autoFocus />
            )}
            <div className="actions">
              <button type="submit" disabled={pending}>
                {pending ? 'Confirming…' : 'Confirm'}
              </button>
              {passkeys && (
                <button type="button" className="secondary" onClick={() => void withPasskey()} disabled={pending}>
                  Use a passkey instead
                </button>
              )}
              <button type="button" className="secondary" onClick={() => close(false)}>
                Cancel
              </button>
            </div>
          </form>
        )}
      </dialog>
    </ReauthContext.Provider>
  );
}
