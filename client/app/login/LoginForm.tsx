'use client';

import Link from 'next/link';
import { PAGES, withNext } from '@cloakroom/shared';
import { api } from '../../lib/api';
import { safeNextPath } from '../../lib/next-path';
import { Field, FormError } from '../components/Field';
import { useApiForm } from '../components/use-api-form';

const FIELDS = ['email', 'password'] as const;

export function LoginForm({ next }: { next: string | null }) {
  const form = useApiForm(
    FIELDS,
    (v) => api.login({ body: { email: v.email!, password: v.password! } }),
    // A full page load: the proxy sees the new cookie and the page renders for this user.
    () => window.location.assign(safeNextPath(next)),
  );
  const registerHref = withNext(PAGES.register, next);
  return (
    <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending} aria-labelledby="login-title">
      <FormError message={form.general} />
      <Field name="email" label="Email" type="email" autoComplete="username" inputMode="email" required error={form.errors.email} />
      <Field name="password" label="Password" type="password" autoComplete="current-password" required error={form.errors.password} />
      <button type="submit" disabled={form.pending}>
        {form.pending ? 'Signing in…' : 'Sign in'}
      </button>
      <p>
        <Link href={PAGES.forgotPassword}>Forgot password?</Link>
      </p>
      <p>
        No account yet? <Link href={registerHref}>Create one</Link>.
      </p>
    </form>
  );
}
