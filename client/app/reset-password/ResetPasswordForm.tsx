'use client';

import Link from 'next/link';
import { useState } from 'react';
import { PAGES } from '@cloakroom/shared';
import { api } from '../../lib/api';
import { useFragmentToken } from '../../lib/fragment-token';
import { FormError, NewPasswordField } from '../components/Field';
import { useApiForm } from '../components/use-api-form';

const FIELDS = ['newPassword'] as const;

/** The token arrives in the fragment (`#token=…`): read once in the browser, posted in
 *  the body, never put in a URL that reaches a server. */
export function ResetPasswordForm() {
  const token = useFragmentToken();
  const [done, setDone] = useState(false);
  const form = useApiForm(
    FIELDS,
    (v) => api.resetPassword({ body: { token: token ?? '', newPassword: v.newPassword! } }),
    () => setDone(true),
  );

  if (token === undefined) return <p>Loading…</p>;
  if (done) {
    return (
      <div role="status">
        <p className="success">Your password has been changed, and every session of your account has been signed out.</p>
        <p>
          <Link href={PAGES.login}>Sign in with your new password</Link>
        </p>
      </div>
    );
  }
  if (!token) {
    return (
      <p role="alert">
        This page needs the link from your password reset mail. <Link href={PAGES.forgotPassword}>Ask for a new link</Link>.
      </p>
    );
  }
  return (
    <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending} aria-labelledby="reset-title">
      <FormError message={form.general} />
      {form.general && (
        <p>
          <Link href={PAGES.forgotPassword}>Ask for a new link</Link>
        </p>
      )}
      <NewPasswordField error={form.errors.newPassword} />
      <button type="submit" disabled={form.pending}>
        {form.pending ? 'Saving…' : 'Set the new password'}
      </button>
    </form>
  );
}
