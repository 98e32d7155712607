'use client';

import { useState, type FormEvent } from 'react';
import { fieldErrors, type ApiResult } from '../../lib/api';

/** A text field's value (a file input, which no form here has, counts as empty). */
export const textOf = (value: FormDataEntryValue | null): string => (typeof value === 'string' ? value : '');

export interface ApiFormState {
  pending: boolean;
  errors: Record<string, string>;
  general: string | null;
}

/** Submit handling shared by the forms: read the fields, send, show the API's errors next
 *  to the fields they name (focusing the first), keep the pending state honest. */
export function useApiForm<T>(
  fields: readonly string[],
  send: (values: Record<string, string>) => Promise<ApiResult<T>>,
  onSuccess: (data: T, form: HTMLFormElement) => void,
) {
  const [state, setState] = useState<ApiFormState>({ pending: false, errors: {}, general: null });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void submit(event.currentTarget);
  }

  async function submit(form: HTMLFormElement) {
    const data = new FormData(form);
    const values = Object.fromEntries(fields.map((f) => [f, textOf(data.get(f))]));
    setState({ pending: true, errors: {}, general: null });
    const res = await send(values);
    if (res.ok) {
      setState({ pending: false, errors: {}, general: null });
      onSuccess(res.data, form);
      return;
    }
    const { byField, general } = fieldErrors(res.error, fields);
    setState({ pending: false, errors: byField, general });
    const first = fields.find((f) => byField[f]);
    if (first) (form.elements.namedItem(first) as HTMLElement | null)?.focus();
  }

  return { ...state, onSubmit };
}
