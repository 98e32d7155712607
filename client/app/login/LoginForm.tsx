'use client';

import Link from 'next/link';
import { useState } from 'react';
import { PAGES, withNext, type SecondFactorMethod } from '@cloakroom/shared';
import { api } from '../../lib/api';
import { safeNextPath } from '../../lib/next-path';
import { Field, FormError } from '../components/Field';
import { useApiForm } from '../components/use-api-form';
import { SecondFactorForm } from './SecondFactorForm';

const FIELDS = ['email', 'password'] as const;

export function LoginForm({ next }: { next: string | null }) {
  const [secondStep, setSecondStep] = useState<SecondFactorMethod[] | null>(null);
  const [expired, setExpired] = useState(false);

  // A full page load: the proxy sees the new cookie and the page renders for this user.
  // A user whose role needs a second factor they have not set up goes to set one up.
  async function signedIn() {
    const status = await api.twoFactorStatus();
    window.location.assign(status.ok && status.data.setupRequired ? PAGES.security : safeNextPath(next));
  }

  const form = useApiForm(
    FIELDS,
    (v) => api.login({ body: { email: v.email!, password: v.password! } }),
    (data) => {
      setExpired(false);
      if ('secondFactorRequired' in data) setSecondStep(data.methods);
      else void signedIn();
    },
  );
  const registerHref = withNext(PAGES.register, next);

  if (secondStep) {
    return (
      <SecondFactorForm
        methods={secondStep}
        onSignedIn={() => void signedIn()}
        onExpired={() => {
          setSecondStep(null);
          setExpired(true);
        }}
      />
    );
  }
  return (
    <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending} aria-labelledby="login-title">
      <FormError message={expired ? 'That sign-in expired or had too many wrong codes. Enter your password again.' : form.general} />
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
