'use client';

import { useState } from 'react';
import { api, toSignIn, type ApiResult } from '../../lib/api';
import { Field, FormError, NewPasswordField } from '../components/Field';
import { useApiForm } from '../components/use-api-form';

const FIELDS = ['currentPassword', 'newPassword'] as const;

export function PasswordForm({ email }: { email: string }) {
  const [done, setDone] = useState(false);
  const form = useApiForm(
    FIELDS,
    async (v): Promise<ApiResult<unknown>> => {
      setDone(false);
      const res = await api.changePassword({ body: { currentPassword: v.currentPassword!, newPassword: v.newPassword! } });
      // A wrong current password belongs next to that field.
      if (!res.ok && res.error.code === 'invalid_credentials') {
        return {
          ok: false,
          error: { ...res.error, details: [{ path: 'currentPassword', code: 'invalid_credentials', message: 'The current password is incorrect' }] },
        };
      }
      if (!res.ok && res.error.code === 'unauthenticated') toSignIn();
      return res;
    },
    (_data, formElement) => {
      formElement.reset();
      setDone(true);
    },
  );
  return (
    <section aria-labelledby="password-title" className="card">
      <h2 id="password-title">Change password</h2>
      <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending} aria-labelledby="password-title">
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" autoComplete="username" value={email} readOnly hidden />
        <FormError message={form.general} />
        <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required error={form.errors.currentPassword} />
        <NewPasswordField error={form.errors.newPassword} />
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Changing password…' : 'Change password'}
        </button>
        <div role="status">{done && <p className="success">Password changed. Every other session has been signed out.</p>}</div>
      </form>
    </section>
  );
}
