'use client';

import { api } from '../../lib/api';
import { describeDevice } from '../../lib/device';
import { LocalTime } from '../components/LocalTime';
import { useAction } from '../components/use-action';
import { useApiData } from '../components/use-api-data';

const listSessions = () => api.listSessions();

export function SessionsPanel() {
  const [loaded, reload] = useApiData(listSessions);
  const { busy, status, act } = useAction(reload);

  const revoke = (id: string) =>
    act(
      id,
      () => api.revokeSession({ params: { id } }),
      (res) => (res.ok ? 'The session was signed out.' : res.error.code === 'not_found' ? 'That session had already ended.' : null),
    );
  const revokeOthers = () =>
    act(
      'others',
      () => api.revokeOtherSessions(),
      (res) => {
        if (!res.ok) return null;
        const n = res.data.revoked;
        return n === 0 ? 'There were no other sessions.' : `Signed out ${n} other session${n === 1 ? '' : 's'}.`;
      },
    );

  return (
    <section aria-labelledby="sessions-title" className="card">
      <h2 id="sessions-title">Active sessions</h2>
      {loaded.state === 'loading' && <p aria-live="polite">Loading your sessions…</p>}
      {loaded.state === 'error' && <p role="alert">{loaded.message}</p>}
      {loaded.state === 'ready' && (
        <>
          <table className="table" data-testid="sessions">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.sessions.map((s) => (
                <tr key={s.id} data-current={s.current || undefined}>
                  <td>
                    {describeDevice(s.userAgent)}
                    {s.current && <span className="badge">This device</span>}
                  </td>
                  <td>{s.ip ?? 'unknown'}</td>
                  <td>
                    <LocalTime iso={s.createdAt} />
                  </td>
                  <td>
                    <LocalTime iso={s.lastSeenAt} />
                  </td>
                  <td>
                    {!s.current && (
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => revoke(s.id)}
                        disabled={busy !== null}
                        aria-label={`Sign out ${describeDevice(s.userAgent)}, last seen ${s.lastSeenAt}`}
                      >
                        {busy === s.id ? 'Signing out…' : 'Sign out'}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={revokeOthers} disabled={busy !== null || loaded.data.sessions.every((s) => s.current)}>
            {busy === 'others' ? 'Signing out other sessions…' : 'Sign out all other sessions'}
          </button>
        </>
      )}
      <div role="status">{status && <p className={status.ok ? 'success' : 'form-error'}>{status.text}</p>}</div>
    </section>
  );
}
