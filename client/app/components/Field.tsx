import type { InputHTMLAttributes } from 'react';
import { PASSWORD_MIN_LENGTH } from '@cloakroom/shared';

/** A labelled input whose error, when there is one, is read out with it. `id` defaults
 *  to `name`; give one when two forms on a page share a field name (ids must be unique,
 *  or a label names the other form's input). */
export function Field({
  name,
  id = name,
  label,
  error,
  hint,
  ...input
}: { name: string; id?: string; label: string; error?: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function FormError({ message }: { message: string | null }) {
  return (
    <div role="alert" className={message ? 'form-error' : undefined}>
      {message}
    </div>
  );
}

/** The field for a new password (change and reset alike): the policy in words, and the
 *  autocomplete hint that lets a password manager offer and save a generated one. */
export function NewPasswordField({ error }: { error: string | undefined }) {
  return (
    <Field
      name="newPassword"
      label="New password"
      type="password"
      autoComplete="new-password"
      required
      hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
      error={error}
    />
  );
}
