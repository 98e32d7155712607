'use client';

import { useSyncExternalStore } from 'react';
import { passkeysSupported } from '../../lib/passkeys';

const never = () => () => undefined;

/** Whether this browser can do WebAuthn: false while rendering on the server (no button is
 *  offered that might not work), the browser's own answer once hydrated. */
export function usePasskeysSupported(): boolean {
  return useSyncExternalStore(never, passkeysSupported, () => false);
}
