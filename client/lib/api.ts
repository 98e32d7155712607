import { createApiClient, signInUrl, type ApiError } from '@cloakroom/shared';

/** The browser's client of the API (the typed client of @cloakroom/shared): same-origin
 *  through the /api rewrite, so the first-party session cookie goes along and no CORS is
 *  involved. Every failure comes back in the contract's error shape, so forms have one
 *  thing to show. */
export const api = createApiClient({ credentials: 'same-origin' });

export type { ApiError };

/** What the panels and forms handle of any route's answer. */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

/** Errors per form field (by the details' `path`), and what belongs to no field. */
export function fieldErrors(error: ApiError, fields: readonly string[]): { byField: Record<string, string>; general: string | null } {
  const byField: Record<string, string> = {};
  for (const d of error.details ?? []) {
    const field = d.path.split('.')[0] ?? '';
    if (fields.includes(field) && !byField[field]) byField[field] = d.message;
  }
  const unplaced = (error.details ?? []).filter((d) => !fields.includes(d.path.split('.')[0] ?? '')).map((d) => d.message);
  const general = unplaced.length > 0 ? [messageFor(error), ...unplaced].join(' ') : Object.keys(byField).length > 0 ? null : messageFor(error);
  return { byField, general };
}

const pageOrigin = () => (typeof window === 'undefined' ? 'this address' : window.location.origin);

/** The message a person should read for an error. */
export function messageFor(error: ApiError): string {
  switch (error.code) {
    case 'too_many_attempts':
      return error.retryAfterSeconds ? `Too many attempts. Try again in ${error.retryAfterSeconds} seconds.` : 'Too many attempts. Try again later.';
    case 'service_unavailable':
    case 'internal_error':
      return 'The service is unavailable. Please try again in a moment.';
    case 'csrf_rejected':
      // Reloading cannot help: the page's own address is not one the API accepts
      // (APP_ORIGIN / CORS_ORIGINS), typically 127.0.0.1 where localhost is configured.
      return `The service does not accept requests from pages at ${pageOrigin()}, so nothing was changed. Open the site at its usual address (whoever runs it sets that address in APP_ORIGIN).`;
    default:
      return error.message;
  }
}

/** A signed-in page whose session ended meanwhile: back to sign-in, then here again. */
export function toSignIn(): void {
  const here = `${window.location.pathname}${window.location.search}`;
  // A full page load: the proxy decides the next page with the session as it now is.
  window.location.assign(signInUrl(here));
}
