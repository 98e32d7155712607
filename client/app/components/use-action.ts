'use client';

import { useState } from 'react';
import { messageFor, toSignIn, type ApiResult } from '../../lib/api';
import { useReauth } from './ReauthProvider';

export type ActionStatus = { ok: boolean; text: string } | null;

/** A button's request in a signed-in panel: one at a time (`busy` names it), then the
 *  panel's data reloaded, then a message, so what is said and what is shown agree. A
 *  session that ended meanwhile goes back to sign-in. `describe` turns the outcome into
 *  words (return null to use the API's own message for a failure). A sensitive action
 *  first asks the user to confirm it is them, when the API says so (ReauthProvider). */
export function useAction(reload: () => Promise<void>) {
  const withReauth = useReauth();
  const [busy, setBusy] = useState<string | null>(null);
  const [status, setStatus] = useState<ActionStatus>(null);

  async function run<T>(key: string, request: () => Promise<ApiResult<T>>, describe: (res: ApiResult<T>) => string | null) {
    setBusy(key);
    setStatus(null);
    const res = await withReauth(request);
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
