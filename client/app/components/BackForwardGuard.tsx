'use client';

import { useEffect } from 'react';

/** A signed-in page restored from the browser's back/forward cache would show whatever it
 *  showed before sign-out; reload it instead, so the proxy decides afresh. */
export function BackForwardGuard() {
  useEffect(() => {
    const onShow = (event: PageTransitionEvent) => {
      if (event.persisted) window.location.reload();
    };
    window.addEventListener('pageshow', onShow);
    return () => window.removeEventListener('pageshow', onShow);
  }, []);
  return null;
}
