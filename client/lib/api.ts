import { errorBodySchema, type ErrorBody, type ErrorCode } from '@cloakroom/shared';

/** Browser → API through the same-origin /api rewrite: JSON in, JSON out, the session
 *  cookie sent because it is first-party. Every failure comes back in the contract's
 *  error shape, so forms have one thing to show. */

export type ApiError = ErrorBody['error'] & { status: number; retryAfterSeconds?: number };
export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; error: ApiError };

const UNREACHABLE: ApiError = { status: 503, code: 'service_unavailable', message: 'The service is unavailable. Please try again in a moment.' };

export async function api<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
  } catch {
    return { ok: false, error: UNREACHABLE };
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: handled below
  }
  if (res.ok) return { ok: true, status: res.status, data: json as T };

  const parsed = errorBodySchema.safeParse(json);
  const retry = Number(res.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  if (parsed.success) return { ok: false, error: { ...parsed.data.error, status: res.status, retryAfterSeconds } };
  // A proxy or a dead upstream answered outside the contract.
  const code: ErrorCode = res.status >= 500 ? 'service_unavailable' : 'internal_error';
  return { ok: false, error: { ...UNREACHABLE, code, status: res.status, retryAfterSeconds } };
}

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

/** The message a person should read for an error. */
export function messageFor(error: ApiError): string {
  switch (error.code) {
    case 'too_many_attempts':
      return error.retryAfterSeconds ? `Too many attempts. Try again in ${error.retryAfterSeconds} seconds.` : 'Too many attempts. Try again later.';
    case 'service_unavailable':
    case 'internal_error':
      return 'The service is unavailable. Please try again in a moment.';
    case 'csrf_rejected':
      return 'This request came from a page the service does not trust. Reload the page and try again.';
    default:
      return error.message;
  }
}

/** A signed-in page whose session ended meanwhile: back to sign-in, then here again. */
export function toSignIn(): void {
  const here = `${window.location.pathname}${window.location.search}`;
  // A full page load: the proxy decides the next page with the session as it now is.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign(`/login?${new URLSearchParams({ next: here })}`);
}
