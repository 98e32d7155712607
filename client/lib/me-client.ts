import { meResponseSchema, type MeResponse } from '@cloakroom/shared';

export type MeResult =
  | { kind: 'signed_in'; me: MeResponse }
  | { kind: 'signed_out' }
  /** Down, too slow, 5xx or an answer outside the contract: the caller fails closed. */
  | { kind: 'unavailable'; reason: string };

/** GET /api/me server to server with nothing but the session cookie(s). Node's fetch
 *  (undici) pools connections and keeps them alive, so a page view costs one request
 *  on an open connection; `no-store` because an identity must never come from a cache. */
export async function fetchMe(apiInternalUrl: string, sessionCookies: string, timeoutMs: number): Promise<MeResult> {
  let res: Response;
  try {
    res = await fetch(`${apiInternalUrl}/api/me`, {
      headers: { cookie: sessionCookies, accept: 'application/json' },
      cache: 'no-store',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    return { kind: 'unavailable', reason: name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'API unreachable' };
  }
  if (res.status === 401) {
    await res.body?.cancel();
    return { kind: 'signed_out' };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    return { kind: 'unavailable', reason: `API answered ${res.status}` };
  }
  try {
    return { kind: 'signed_in', me: meResponseSchema.parse(await res.json()) };
  } catch {
    return { kind: 'unavailable', reason: 'API answer outside the contract' };
  }
}
