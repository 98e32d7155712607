'use client';

import { useState } from 'react';
import type { SecondFactorMethod } from '@cloakroom/shared';
import { api } from '../../lib/api';
import { Field, FormError } from '../components/Field';
import { useApiForm } from '../components/use-api-form';

/** The second step of signing in: a code from the authenticator app, or a recovery code.
 *  The session is pending until then (not signed in); it lasts 5 minutes and 5 wrong
 *  codes, after which `onExpired` starts over from the password. */
export function SecondFactorForm({ methods, onSignedIn, onExpired }: { methods: SecondFactorMethod[]; onSignedIn: () => void; onExpired: () => void }) {
  const [recovery, setRecovery] = useState(false);
  const field = recovery ? 'recoveryCode' : 'code';
  const form = useApiForm(
    [field],
    async (v) => {
      const res = await api.verifySecondFactor({ body: recovery ? { recoveryCode: v.recoveryCode! } : { code: v.code! } });
      if (!res.ok && res.error.code === 'unauthenticated') onExpired();
      if (!res.ok && res.error.code === 'invalid_code') {
        return { ok: false, error: { ...res.error, details: [{ path: field, code: 'invalid_code', message: res.error.message }] } };
      }
      return res;
    },
    onSignedIn,
  );
  return (
    <form onSubmit={form.onSubmit} noValidate aria-busy={form.pending} aria-labelledby="second-factor-title">
      <h2 id="second-factor-title">Two-step verification</h2>
      <FormError message={form.general} />
      {recovery ? (
        <Field
          key="recoveryCode"
          name="recoveryCode"
          label="Recovery code"
          autoComplete="off"
          required
          autoFocus
          hint="One of the codes you saved when you set up your authenticator app."
          error={form.errors.recoveryCode}
        />
      ) : (
        <Field
          key="code"
          name="code"
          label="Code from your authenticator app"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          autoFocus
          error={form.errors.code}
        />
      )}
      <button type="submit" disabled={form.pending}>
        {form.pending ? 'Checking…' : 'Verify'}
      </button>
      {methods.includes('recovery_code') && (
        <button type="button" className="link-button" onClick={() => setRecovery(!recovery)}>
          {recovery ? 'Use a code from the app instead' : 'Use a recovery code instead'}
        </button>
      )}
    </form>
  );
}
