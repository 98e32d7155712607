'use client';

import { useState } from 'react';
import { api, messageFor, toSignIn, type ApiResult } from '../../lib/api';
import { Field, FormError } from '../components/Field';
import { textOf, useApiForm } from '../components/use-api-form';

const FIELDS = ['newEmail', 'currentPassword'] as const;

/** The account's address: whether it is confirmed (with "resend"), and changing it (the
 *  change applies when the new address confirms the link mailed to it). */
export function EmailPanel({ email, verified }: { email: string; verified: boolean }) {
  const [resend, setResend] = useState<{ pending: boolean; text: string | null }>({ pending: false, text: null });
  const [requested, setRequested] = useState<string | null>(null);

  async function resendLink() {
    setResend({ pending: true, text: null });
    const res = await api.resendVerification();
    if (!res.ok && res.error.code === 'unauthenticated') return toSignIn();
    setResend({ pending: false, text: res.ok ? `A new confirmation link is on its way to ${email}.` : messageFor(res.error) });
  }

  const form = useApiForm(
    FIELDS,
    async (v): Promise<ApiResult<unknown>> => {
      setRequested(null);
      const res = await api.changeEmail({ body: { newEmail: v.newEmail!, currentPassword: v.currentPassword! } });
      if (!res.ok && res.error.code === 'invalid_credentials') {
        return {
          ok: false,
          error: { ...res.error, details: [{ path: 'currentPassword', code: 'invalid_credentials', message: 'The current password is incorrect' }] },
        };
      }
      if (!res.ok && res.error.code === 'email_taken') {
        return { ok: false, error: { ...res.error, details: [{ path: 'newEmail', code: 'email_taken', message: 'Another account uses this address' }] } };
      }
      if (!res.ok && res.error.code === 'unauthenticated') toSignIn();
      return res;
    },
    (_data, formElement) => {
      setRequested(textOf(new FormData(formElement).get('newEmail')).trim());
      formElement.reset();
    },
  );

  return (
    <section aria-labelledby="email-title" className="card">
      <h2 id="email-title">Email address</h2>
      <p>
        <strong>{email}</strong> — {verified ? 'confirmed' : 'not confirmed yet'}
      </p>
      {!verified && (
        <p>
          <button type="button" onClick={() => void resendLink()} disabled={resend.pending} aria-busy={resend.pending}>
            {resend.pending ? 'Sending…' : 'Resend the confirmation link'}
          </button>
        </p>
      )}
      <div role="status">{resend.text && <p>{resend.text}</p>}</div>
      <h3 id="email-change-title">Change email address</h3>
      <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending} aria-labelledby="email-change-title">
        <FormError message={form.general} />
        <Field
          name="newEmail"
          id="email-newEmail"
          label="New email address"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          error={form.errors.newEmail}
        />
        <Field
          name="currentPassword"
          id="email-currentPassword"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          error={form.errors.currentPassword}
        />
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Sending…' : 'Change email address'}
        </button>
        <div role="status">
          {requested && <p className="success">We have mailed a confirmation link to {requested}. Your address changes once you follow it.</p>}
        </div>
      </form>
    </section>
  );
}
