'use client';

import Link from 'next/link';
import { useState } from 'react';
import { PAGES } from '@cloakroom/shared';
import { api } from '../../lib/api';
import { Field, FormError } from '../components/Field';
import { textOf, useApiForm } from '../components/use-api-form';

const FIELDS = ['email'] as const;

export function ForgotPasswordForm() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useApiForm(
    FIELDS,
    (v) => api.forgotPassword({ body: { email: v.email! } }),
    (_data, formElement) => setSentTo(textOf(new FormData(formElement).get('email')).trim()),
  );
  if (sentTo !== null) {
    return (
      <div role="status">
        <p className="success">If an account uses {sentTo}, a link to choose a new password is on its way there. It works once, for 30 minutes.</p>
        <p>
          <Link href={PAGES.login}>Back to sign in</Link>
        </p>
      </div>
    );
  }
  return (
    <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending} aria-labelledby="forgot-title">
      <p>Enter the email address of your account and we will mail you a link to choose a new password.</p>
      <FormError message={form.general} />
      <Field name="email" label="Email" type="email" autoComplete="username" inputMode="email" required error={form.errors.email} />
      <button type="submit" disabled={form.pending}>
        {form.pending ? 'Sending…' : 'Send the link'}
      </button>
      <p>
        Remembered it? <Link href={PAGES.login}>Sign in</Link>.
      </p>
    </form>
  );
}
