'use client';

import { useState } from 'react';
import { PAGES } from '@cloakroom/shared';
import { api } from '../../lib/api';

/** Ends the session at the API, then leaves with a full page load: the app's client-side
 *  cache of signed-in pages goes with the old document. */
export function SignOutButton() {
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);
  async function signOut() {
    setPending(true);
    setFailed(false);
    const res = await api.logout();
    // A full page load on purpose: the app's client-side cache of signed-in pages goes too.
    if (res.ok) return window.location.assign(PAGES.login);
    setPending(false);
    setFailed(true);
  }
  return (
    <>
      <button type="button" className="link-button" onClick={() => void signOut()} disabled={pending} aria-busy={pending}>
        {pending ? 'Signing out…' : 'Sign out'}
      </button>
      {failed && (
        <span role="alert" className="inline-error">
          Sign-out failed; try again.
        </span>
      )}
    </>
  );
}
