import type { FetchInit, FetchLike } from '@cloakroom/shared';

export interface BrowserFetchOptions {
  /** The page's origin, sent as Origin on every request (as a browser does for CORS and
   *  for POST); none by default. */
  origin?: string;
}

export type BrowserFetch = FetchLike & {
  /** The cookies it holds, as a Cookie header (`name=value; …`). */
  cookies(): string;
};

/**
 * fetch as a browser tab would do it, for the typed client in tests: it keeps the cookies
 * answers set (and drops those they expire) and sends them back, and sends the page's
 * Origin. One jar per call; host and path scoping are not modelled (one API per jar).
 */
export function browserFetch(options: BrowserFetchOptions = {}): BrowserFetch {
  const jar = new Map<string, string>();
  const cookies = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const send = async (url: string, init: FetchInit) => {
    const headers = new Headers(init.headers);
    if (options.origin) headers.set('origin', options.origin);
    if (init.credentials !== 'omit' && jar.size > 0) headers.set('cookie', cookies());
    const res = await fetch(url, { method: init.method, headers, body: init.body, signal: init.signal, redirect: 'manual' });
    if (init.credentials !== 'omit') {
      for (const line of res.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) <= Date.now()));
        if (expired || value === '') jar.delete(name);
        else jar.set(name, value);
      }
    }
    return res;
  };
  return Object.assign(send, { cookies });
}
