'use client';

import { useCallback, useEffect, useState } from 'react';
import { api, messageFor, toSignIn, type ApiResult } from '../../lib/api';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; data: T };

/** Loads JSON from the API for a signed-in panel; a session that ended meanwhile goes
 *  back to sign-in. `reload` fetches again (after a change). */
export function useApiData<T>(path: string): [Loaded<T>, () => Promise<void>] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const settle = useCallback((res: ApiResult<T>) => {
    if (res.ok) return setLoaded({ state: 'ready', data: res.data });
    if (res.error.code === 'unauthenticated') return toSignIn();
    setLoaded({ state: 'error', message: messageFor(res.error) });
  }, []);
  const reload = useCallback(() => api<T>(path).then(settle), [path, settle]);
  useEffect(() => {
    // An answer that arrives after the panel went away (or asked again) is dropped.
    let current = true;
    void api<T>(path).then((res) => current && settle(res));
    return () => {
      current = false;
    };
  }, [path, settle]);
  return [loaded, reload];
}
