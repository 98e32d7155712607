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

/** A path on this site as written: one leading `/`, no `//` or `/\`, no whitespace or
 *  control characters, and none of that hidden behind percent-encoding. */
function looksLikeSitePath(value: string): boolean {
  if (hasControlOrSpace(value) || leavesSite(value)) return false;
  const decoded = decodings(value);
  return decoded !== null && !decoded.some((d) => hasControl(d) || leavesSite(d));
}

/** Returns a same-origin path (with query and fragment) for `raw`, or `fallback`. The
 *  rule: both the value and the path it normalises to (what a browser or the proxy's
 *  redirect will actually use) must be paths on this site; anything else falls back. */
export function safeNextPath(raw: unknown, fallback: string = DEFAULT_AFTER_LOGIN): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return fallback;
  if (!looksLikeSitePath(raw)) return fallback;

  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  if (NOT_DESTINATIONS.has(url.pathname)) return fallback;
  // Resolving dot segments turns `/.//evil.test`, `/x/..//evil.test` or `/%2e//evil.test`
  // into `//evil.test`, which a browser reads as another host: check what will be used.
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!looksLikeSitePath(path) || new URL(path, BASE).origin !== BASE) return fallback;
  return path;
}
