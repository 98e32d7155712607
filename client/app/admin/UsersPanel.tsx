'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AdminUsersResponse, PublicUser, Role } from '@cloakroom/shared';
import { api, messageFor, toSignIn, type ApiResult } from '../../lib/api';
import { LocalTime } from '../components/LocalTime';
import { useAction } from '../components/use-action';
import { textOf } from '../components/use-api-form';

const PAGE_SIZE = 20;

type Page = { users: PublicUser[]; nextCursor: string | null };

export function UsersPanel({ selfId }: { selfId: string }) {
  const [query, setQuery] = useState('');
  /** Cursors of the pages before this one ('' = first page), for "Previous". */
  const [cursors, setCursors] = useState<string[]>(['']);
  const [page, setPage] = useState<Page | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1] ?? '';

  const fetchPage = useCallback(() => {
    return api.listUsers({ query: { limit: PAGE_SIZE, cursor, email: query } });
  }, [cursor, query]);
  const show = useCallback((res: ApiResult<AdminUsersResponse>) => {
    if (res.ok) {
      setPage(res.data);
      setLoadError(null);
    } else if (res.error.code === 'unauthenticated') toSignIn();
    else setLoadError(messageFor(res.error));
  }, []);
  const load = useCallback(() => fetchPage().then(show), [fetchPage, show]);

  useEffect(() => {
    // An answer for a search or page the panel has since left is dropped.
    let current = true;
    void fetchPage().then((res) => current && show(res));
    return () => {
      current = false;
    };
  }, [fetchPage, show]);
  const { busy, status, act } = useAction(load);

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setQuery(textOf(new FormData(event.currentTarget).get('email')).trim());
    setCursors(['']);
  }

  const setRole = (u: PublicUser, role: Role) =>
    act(
      `role:${u.id}`,
      () => api.changeUserRole({ params: { id: u.id }, body: { role } }),
      (res) => (res.ok ? `${u.email} is now ${role === 'admin' ? 'an administrator' : 'a user'}.` : null),
    );
  const revoke = (u: PublicUser) =>
    act(
      `sessions:${u.id}`,
      () => api.revokeUserSessions({ params: { id: u.id } }),
      (res) => (res.ok ? `Signed out ${res.data.revoked} session${res.data.revoked === 1 ? '' : 's'} of ${u.email}.` : null),
    );

  return (
    <section aria-labelledby="users-title" className="card">
      <h2 id="users-title" className="visually-hidden">
        All users
      </h2>
      <form role="search" onSubmit={search} className="inline-form">
        <label htmlFor="user-search">Email starts with</label>
        <input id="user-search" name="email" type="search" autoComplete="off" defaultValue={query} />
        <button type="submit">Search</button>
      </form>
      {loadError && <p role="alert">{loadError}</p>}
      {!page && !loadError && <p aria-live="polite">Loading users…</p>}
      {page && page.users.length === 0 && <p>No users match.</p>}
      {page && page.users.length > 0 && (
        <table className="table" data-testid="users">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.users.map((u) => {
              const other: Role = u.role === 'admin' ? 'user' : 'admin';
              return (
                <tr key={u.id} data-email={u.email}>
                  <td>{u.email}</td>
                  <td>{u.name ?? ''}</td>
                  <td>{u.role === 'admin' ? 'Administrator' : 'User'}</td>
                  <td>
                    <LocalTime iso={u.createdAt} />
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="secondary"
                      disabled={busy !== null}
                      onClick={() => setRole(u, other)}
                      aria-label={`Make ${u.email} ${other === 'admin' ? 'an administrator' : 'a user'}`}
                    >
                      {other === 'admin' ? 'Make administrator' : 'Make user'}
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      disabled={busy !== null}
                      onClick={() => revoke(u)}
                      aria-label={`Sign out every session of ${u.email}`}
                    >
                      {u.id === selfId ? 'Sign out my sessions' : 'Sign out everywhere'}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button type="button" className="secondary" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor!])}
        >
          Next page
        </button>
      </div>
      <div role="status">{status && <p className={status.ok ? 'success' : 'form-error'}>{status.text}</p>}</div>
    </section>
  );
}
