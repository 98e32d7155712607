'use client';

import { useState } from 'react';
import { messageFor, toSignIn, type ApiResult } from '../../lib/api';

export type ActionStatus = { ok: boolean; text: string } | null;

/** A button's request in a signed-in panel: one at a time (`busy` names it), then the
 *  panel's data reloaded, then a message, so what is said and what is shown agree. A
 *  session that ended meanwhile goes back to sign-in. `describe` turns the outcome into
 *  words (return null to use the API's own message for a failure). */
export function useAction(reload: () => Promise<void>) {
  const [busy, setBusy] = useState<string | null>(null);
  const [status, setStatus] = useState<ActionStatus>(null);

  async function run<T>(key: string, request: () => Promise<ApiResult<T>>, describe: (res: ApiResult<T>) => string | null) {
    setBusy(key);
    setStatus(null);
    const res = await request();
    setBusy(null);
    if (!res.ok && res.error.code === 'unauthenticated') return toSignIn();
    await reload();
    const text = describe(res);
    setStatus({ ok: res.ok || text !== null, text: text ?? (res.ok ? '' : messageFor(res.error)) });
  }

  /** Starts the request; the panel follows it through `busy` and `status`. */
  function act<T>(key: string, request: () => Promise<ApiResult<T>>, describe: (res: ApiResult<T>) => string | null): void {
    void run(key, request, describe);
  }

  return { busy, status, act };
}
