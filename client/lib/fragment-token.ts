'use client';

import { useSyncExternalStore } from 'react';
import { TOKEN_FRAGMENT_PARAM } from '@cloakroom/shared';

/** The token of the page's URL fragment, read once per page load. Mailed links put it in
 *  the fragment so it never reaches a server log or a Referer; once read, the fragment is
 *  removed from the address bar and the history entry, so it is not left in the history
 *  or a bookmark. */
let captured: { path: string; token: string | null } | undefined;

function capture(): string | null {
  const path = window.location.pathname;
  if (captured?.path !== path) {
    const token = new URLSearchParams(window.location.hash.slice(1)).get(TOKEN_FRAGMENT_PARAM);
    if (window.location.hash) window.history.replaceState(window.history.state, '', path + window.location.search);
    captured = { path, token };
  }
  return captured.token;
}

const never = () => () => undefined;

/** undefined while rendering on the server and hydrating; then the token, or null when
 *  the page was opened without one. */
export function useFragmentToken(): string | null | undefined {
  return useSyncExternalStore(never, capture, () => undefined);
}
