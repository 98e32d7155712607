'use client';

import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import type { TotpSetupResponse } from '@cloakroom/shared';
import { api, messageFor, toSignIn, type ApiResult } from '../../lib/api';
import { Field, FormError } from '../components/Field';
import { useReauth } from '../components/ReauthProvider';
import { useApiData } from '../components/use-api-data';
import { useApiForm } from '../components/use-api-form';

const loadStatus = () => api.twoFactorStatus();

/** The recovery codes, shown once: the server keeps only their hashes. */
function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div className="notice" data-testid="recovery-codes">
      <h3>Your recovery codes</h3>
      <p>
        Each works once, in place of a code from your app, if you lose your phone. Keep them somewhere safe: <strong>they are shown only now</strong>.
      </p>
      <ul>
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <button type="button" onClick={onDone}>
        I have saved them
      </button>
    </div>
  );
}

/** Scan (or type) the secret, then prove the app has it with a code. The QR code is
 *  drawn here, in the browser: the secret goes to no other server. */
function Enrol({ setup, onConfirmed }: { setup: TotpSetupResponse; onConfirmed: (codes: string[]) => void }) {
  const [qr, setQr] = useState<string | null>(null);
  const withReauth = useReauth();
  useEffect(() => {
    void QRCode.toDataURL(setup.otpauthUrl, { margin: 1, width: 200 }).then(setQr);
  }, [setup.otpauthUrl]);
  const form = useApiForm(
    ['code'],
    (v) => withReauth(() => api.confirmTotp({ body: { code: v.code! } })),
    (data) => onConfirmed(data.recoveryCodes),
  );
  return (
    <div>
      <p>Scan this code with your authenticator app, or type the key into it.</p>
      {/* A data: URL drawn here in the browser: next/image has nothing to fetch or optimise. */}
      {/* eslint-disable-next-line @next/next/no-img-element */}
      {qr && <img src={qr} width={200} height={200} alt="QR code of your authenticator key (the same key is written below)" />}
      <p>
        Key: <code data-testid="totp-secret">{setup.secret}</code>
      </p>
      <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending} aria-label="Confirm the authenticator app">
        <FormError message={form.general} />
        <Field name="code" label="Code from the app" inputMode="numeric" autoComplete="one-time-code" required error={form.errors.code} />
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Checking…' : 'Turn on'}
        </button>
      </form>
    </div>
  );
}

/** Security settings: the authenticator app and its recovery codes. */
export function TwoFactorPanel() {
  const [loaded, reload] = useApiData(loadStatus);
  const withReauth = useReauth();
  const [setup, setSetup] = useState<TotpSetupResponse | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function run<T>(request: () => Promise<ApiResult<T>>, then: (data: T) => void, done: string) {
    setBusy(true);
    setMessage(null);
    const res = await withReauth(request);
    setBusy(false);
    if (!res.ok && res.error.code === 'unauthenticated') return toSignIn();
    if (!res.ok) return setMessage({ ok: false, text: messageFor(res.error) });
    then(res.data);
    if (done) setMessage({ ok: true, text: done });
    await reload();
  }

  const start = () => run(() => api.setupTotp(), setSetup, '');
  const remove = () =>
    run(
      () => api.disableTotp(),
      () => setSetup(null),
      'The authenticator app was removed. Signing in now needs only your password.',
    );
  const regenerate = () =>
    run(
      () => api.regenerateRecoveryCodes(),
      (d) => setCodes(d.recoveryCodes),
      'New recovery codes made; the old ones no longer work.',
    );

  return (
    <section aria-labelledby="two-factor-title" className="card">
      <h2 id="two-factor-title">Authenticator app</h2>
      {loaded.state === 'loading' && <p aria-live="polite">Loading…</p>}
      {loaded.state === 'error' && <p role="alert">{loaded.message}</p>}
      {loaded.state === 'ready' && (
        <>
          {loaded.data.setupRequired && (
            <p className="notice" role="alert">
              Your account needs a second factor: set up an authenticator app to continue using Cloakroom (or sign in with a passkey).
            </p>
          )}
          {codes ? (
            <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
          ) : loaded.data.totp ? (
            <>
              <p>
                On. Signing in asks for a code from your app. Recovery codes left: <strong>{loaded.data.recoveryCodesLeft}</strong>.
              </p>
              <div className="actions">
                <button type="button" className="secondary" onClick={() => void regenerate()} disabled={busy}>
                  New recovery codes
                </button>
                <button type="button" className="secondary" onClick={() => void remove()} disabled={busy}>
                  Remove authenticator app
                </button>
              </div>
            </>
          ) : setup ? (
            <Enrol
              setup={setup}
              onConfirmed={(c) => {
                setSetup(null);
                setCodes(c);
                setMessage({ ok: true, text: 'Authenticator app on.' });
                void reload();
              }}
            />
          ) : (
            <>
              <p>Off. Add a code from an app on your phone to your password, so a stolen password alone cannot sign in.</p>
              <button type="button" onClick={() => void start()} disabled={busy}>
                Set up authenticator app
              </button>
            </>
          )}
        </>
      )}
      <div role="status">{message && <p className={message.ok ? 'success' : 'form-error'}>{message.text}</p>}</div>
    </section>
  );
}
