'use client';

import Link from 'next/link';
import { useState } from 'react';
import { PAGES } from '@cloakroom/shared';
import { api, messageFor } from '../../lib/api';
import { useFragmentToken } from '../../lib/fragment-token';

type Outcome = { kind: 'pending' } | { kind: 'done'; email: string } | { kind: 'failed'; message: string };

/** Confirms on a click rather than on load: mail scanners that open links confirm nothing. */
export function VerifyEmail() {
  const token = useFragmentToken();
  const [state, setState] = useState<Outcome | null>(null);

  async function confirm(token: string) {
    setState({ kind: 'pending' });
    const res = await api.verifyEmail({ body: { token } });
    if (res.ok) setState({ kind: 'done', email: res.data.user.email });
    else if (res.error.code === 'email_taken')
      setState({ kind: 'failed', message: 'Another account has taken this address since you asked for the change, so your address stays as it was.' });
    else setState({ kind: 'failed', message: messageFor(res.error) });
  }

  if (token === undefined) return <p>Loading…</p>;
  if (token === null) return <p role="alert">This page needs the link from your confirmation mail.</p>;
  switch (state?.kind) {
    case undefined:
    case 'pending':
      return (
        <div>
          <p>Confirm that this address belongs to your account.</p>
          <button type="button" disabled={state !== null} aria-busy={state !== null} onClick={() => void confirm(token)}>
            {state ? 'Confirming…' : 'Confirm my email address'}
          </button>
        </div>
      );
    case 'done':
      return (
        <div role="status">
          <p className="success">{state.email} is confirmed.</p>
          <p>
            <Link href={PAGES.dashboard}>Go to your dashboard</Link>
          </p>
        </div>
      );
    case 'failed':
      return (
        <div>
          <p role="alert">{state.message}</p>
          <p>
            Signed in, you can ask for a new link on your <Link href={PAGES.security}>security page</Link>.
          </p>
        </div>
      );
  }
}
