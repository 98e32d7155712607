'use client';

import { useCallback, useEffect, useState } from 'react';
import { api, messageFor, toSignIn } from '../../lib/api';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; data: T };

/** Loads JSON from the API for a signed-in panel; a session that ended meanwhile goes
 *  back to sign-in. `reload` fetches again (after a change). */
export function useApiData<T>(path: string): [Loaded<T>, () => Promise<void>] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const reload = useCallback(async () => {
    const res = await api<T>(path);
    if (res.ok) return setLoaded({ state: 'ready', data: res.data });
    if (res.error.code === 'unauthenticated') return toSignIn();
    setLoaded({ state: 'error', message: messageFor(res.error) });
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return [loaded, reload];
}
