'use client';

import { useState, type FormEvent } from 'react';
import type { Passkey } from '@cloakroom/shared';
import { api, type ApiResult } from '../../lib/api';
import { createPasskey } from '../../lib/passkeys';
import { LocalTime } from '../components/LocalTime';
import { useAction } from '../components/use-action';
import { useApiData } from '../components/use-api-data';
import { textOf } from '../components/use-api-form';
import { usePasskeysSupported } from '../components/use-passkeys-supported';

const listPasskeys = () => api.listPasskeys();

/** A failure of the browser's part, in the shape the panel's status shows. */
const browserFailure = (message: string): ApiResult<never> => ({ ok: false, error: { code: 'validation_failed', status: 0, message } });

/** Passkeys: add one (named), rename, remove. Adding runs the browser's ceremony between the
 *  API's two calls; a browser without WebAuthn is told so instead of offered a button. */
export function PasskeysPanel() {
  const [loaded, reload] = useApiData(listPasskeys);
  const { busy, status, act } = useAction(reload);
  const supported = usePasskeysSupported();
  const [editing, setEditing] = useState<string | null>(null);

  async function add(name: string): Promise<ApiResult<unknown>> {
    const options = await api.passkeyRegistrationOptions();
    if (!options.ok) return options;
    const ceremony = await createPasskey(options.data);
    if (!ceremony.ok) return browserFailure(ceremony.message);
    return api.registerPasskey({ body: { response: ceremony.response, ...(name ? { name } : {}) } });
  }

  function onAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = textOf(new FormData(form).get('passkeyName')).trim();
    act(
      'add',
      () => add(name),
      (res) => {
        if (!res.ok) return null;
        form.reset();
        return 'Passkey added. You can now sign in with it.';
      },
    );
  }

  function onRename(event: FormEvent<HTMLFormElement>, passkey: Passkey) {
    event.preventDefault();
    const name = textOf(new FormData(event.currentTarget).get('name')).trim();
    act(
      passkey.id,
      () => api.renamePasskey({ params: { id: passkey.id }, body: { name } }),
      (res) => {
        if (!res.ok) return res.error.code === 'not_found' ? 'That passkey had already been removed.' : null;
        setEditing(null);
        return 'Passkey renamed.';
      },
    );
  }

  const remove = (passkey: Passkey) =>
    act(
      passkey.id,
      () => api.removePasskey({ params: { id: passkey.id } }),
      (res) =>
        res.ok
          ? `Passkey "${passkey.name}" removed. It cannot sign in any more.`
          : res.error.code === 'not_found'
            ? 'That passkey had already been removed.'
            : null,
    );

  return (
    <section aria-labelledby="passkeys-title" className="card">
      <h2 id="passkeys-title">Passkeys</h2>
      <p className="hint">A passkey signs you in with your device&apos;s screen lock (fingerprint, face or PIN) instead of your password.</p>
      {loaded.state === 'loading' && <p aria-live="polite">Loading your passkeys…</p>}
      {loaded.state === 'error' && <p role="alert">{loaded.message}</p>}
      {loaded.state === 'ready' &&
        (loaded.data.passkeys.length === 0 ? (
          <p>You have no passkeys yet.</p>
        ) : (
          <table className="table" data-testid="passkeys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Added</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.passkeys.map((p) => (
                <tr key={p.id}>
                  <td>
                    {editing === p.id ? (
                      <form className="inline-form" onSubmit={(e) => onRename(e, p)} aria-label={`Rename ${p.name}`}>
                        <label htmlFor={`rename-${p.id}`} className="visually-hidden">
                          New name for {p.name}
                        </label>
                        <input id={`rename-${p.id}`} name="name" defaultValue={p.name} maxLength={64} required autoFocus />
                        <button type="submit" disabled={busy !== null}>
                          Save
                        </button>
                        <button type="button" className="secondary" onClick={() => setEditing(null)}>
                          Cancel
                        </button>
                      </form>
                    ) : (
                      p.name
                    )}
                  </td>
                  <td>
                    <LocalTime iso={p.createdAt} />
                  </td>
                  <td>{p.lastUsedAt ? <LocalTime iso={p.lastUsedAt} /> : 'never'}</td>
                  <td>
                    {editing !== p.id && (
                      <>
                        <button type="button" className="secondary" onClick={() => setEditing(p.id)} disabled={busy !== null} aria-label={`Rename ${p.name}`}>
                          Rename
                        </button>{' '}
                        <button type="button" className="secondary" onClick={() => remove(p)} disabled={busy !== null} aria-label={`Remove ${p.name}`}>
                          {busy === p.id ? 'Removing…' : 'Remove'}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {supported ? (
        <form className="inline-form" onSubmit={onAdd} aria-label="Add a passkey">
          <label htmlFor="passkeyName">Name (optional)</label>
          <input id="passkeyName" name="passkeyName" placeholder="e.g. Work laptop" maxLength={64} autoComplete="off" />
          <button type="submit" disabled={busy !== null}>
            {busy === 'add' ? 'Waiting for your device…' : 'Add a passkey'}
          </button>
        </form>
      ) : (
        <p>This browser cannot create passkeys.</p>
      )}
      <div role="status">{status && <p className={status.ok ? 'success' : 'form-error'}>{status.text}</p>}</div>
    </section>
  );
}
