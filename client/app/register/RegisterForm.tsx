'use client';

import Link from 'next/link';
import { PASSWORD_MIN_LENGTH, signInUrl } from '@cloakroom/shared';
import { api } from '../../lib/api';
import { safeNextPath } from '../../lib/next-path';
import { Field, FormError } from '../components/Field';
import { useApiForm } from '../components/use-api-form';

const FIELDS = ['name', 'email', 'password'] as const;

export function RegisterForm({ next }: { next: string | null }) {
  const form = useApiForm(
    FIELDS,
    (v) => api.register({ body: { email: v.email!, password: v.password!, ...(v.name!.trim() ? { name: v.name } : {}) } }),
    () => window.location.assign(safeNextPath(next)),
  );
  const loginHref = signInUrl(next);
  return (
    <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending} aria-labelledby="register-title">
      <FormError message={form.general} />
      <Field name="name" label="Name (optional)" type="text" autoComplete="name" error={form.errors.name} />
      <Field name="email" label="Email" type="email" autoComplete="email" inputMode="email" required error={form.errors.email} />
      <Field
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        hint={`At least ${PASSWORD_MIN_LENGTH} characters. A long passphrase is best; no other rules.`}
        error={form.errors.password}
      />
      <button type="submit" disabled={form.pending}>
        {form.pending ? 'Creating account…' : 'Create account'}
      </button>
      <p>
        Have an account? <Link href={loginHref}>Sign in</Link>.
      </p>
    </form>
  );
}
