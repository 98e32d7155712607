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
  if (res.status !== 200) {
    // Read the (small) error body to its end: cancelling it would close the connection
    // instead of returning it to the pool.
    await drain(res);
    return res.status === 401 ? { kind: 'signed_out' } : { kind: 'unavailable', reason: `API answered ${res.status}` };
  }
  try {
    return { kind: 'signed_in', me: meResponseSchema.parse(await res.json()) };
  } catch {
    return { kind: 'unavailable', reason: 'API answer outside the contract' };
  }
}

async function drain(res: Response): Promise<void> {
  try {
    await res.arrayBuffer();
  } catch {
    // the timeout fired or the API hung up: nothing to reuse anyway
  }
}
