/** Where to go after signing in: the `next` query parameter, honoured only when it is a
 *  path on this site. Used by the proxy (server) and the sign-in forms (browser), so it
 *  depends on nothing but the URL parser every runtime has (and the page names). */

import { PAGES } from '@cloakroom/shared';

export const DEFAULT_AFTER_LOGIN: string = PAGES.dashboard;

/** Any origin works as a base: only the path, query and fragment survive. `.invalid`
 *  can never be a real host (RFC 6761). */
const BASE = 'http://next-path.invalid';
const MAX_LENGTH = 2048;
/** Pages that make no sense as a destination after signing in. */
const NOT_DESTINATIONS = new Set<string>([PAGES.login, PAGES.register]);

/** Browsers drop tabs and newlines inside URLs and treat `\` like `/`, so `/\evil.test`
 *  or `/<TAB>/evil.test` would become `//evil.test`: another host. */
// The control characters in these patterns are the point: they are what browsers drop.
// eslint-disable-next-line no-control-regex
const hasControlOrSpace = (s: string) => /[\u0000-\u0020\u007f\\]/.test(s);
// eslint-disable-next-line no-control-regex
const hasControl = (s: string) => /[\u0000-\u001f\u007f]/.test(s);
const leavesSite = (s: string) => !s.startsWith('/') || s.startsWith('//') || s.startsWith('/\\');

/** Percent-decoding a few times exposes `%2F%2Fevil.test`, `%252F…` and the like; a
 *  value that does not decode cleanly is refused rather than guessed at. */
function decodings(value: string): string[] | null {
  const out = [value];
  let current = value;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) break;
    out.push(next);
    current = next;
  }
  return out;
}

/** Returns a same-origin path (with query and fragment) for `raw`, or `fallback`. */
export function safeNextPath(raw: unknown, fallback: string = DEFAULT_AFTER_LOGIN): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return fallback;
  if (hasControlOrSpace(raw) || leavesSite(raw)) return fallback;
  const decoded = decodings(raw);
  if (!decoded || decoded.some((d) => hasControl(d) || leavesSite(d))) return fallback;

  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  if (NOT_DESTINATIONS.has(url.pathname)) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
