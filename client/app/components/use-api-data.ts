'use client';

import { useCallback, useEffect, useState } from 'react';
import { messageFor, toSignIn, type ApiResult } from '../../lib/api';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; data: T };

/** Loads data from the API for a signed-in panel (`load` calls the typed client, and must
 *  be the same function on every render); a session that ended meanwhile goes back to
 *  sign-in. `reload` fetches again (after a change). */
export function useApiData<T>(load: () => Promise<ApiResult<T>>): [Loaded<T>, () => Promise<void>] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const settle = useCallback((res: ApiResult<T>) => {
    if (res.ok) return setLoaded({ state: 'ready', data: res.data });
    if (res.error.code === 'unauthenticated') return toSignIn();
    setLoaded({ state: 'error', message: messageFor(res.error) });
  }, []);
  const reload = useCallback(() => load().then(settle), [load, settle]);
  useEffect(() => {
    // An answer that arrives after the panel went away (or asked again) is dropped.
    let current = true;
    void load().then((res) => current && settle(res));
    return () => {
      current = false;
    };
  }, [load, settle]);
  return [loaded, reload];
}
