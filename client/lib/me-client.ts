import http from 'node:http';
import https from 'node:https';
import { API_ROUTES, meResponseSchema, type MeResponse } from '@cloakroom/shared';

export type MeResult =
  | { kind: 'signed_in'; me: MeResponse }
  | { kind: 'signed_out' }
  /** Down, too slow, 5xx or an answer outside the contract: the caller fails closed. */
  | { kind: 'unavailable'; reason: string };

/** One pool of kept-alive connections to the API per process, so a page view costs one
 *  request on an open connection. */
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** /api/me answers a few hundred bytes; anything much larger is not the contract. */
const MAX_BODY = 64 * 1024;

/** GET /api/me server to server with nothing but the session cookie(s), never from a
 *  cache. node:http rather than fetch: every gated page view pays for this call, and
 *  fetch (undici's WHATWG layer, plus Next's instrumentation of it) cost about 2.5 times
 *  the CPU per call (bench: docs/performance.md). */
export function fetchMe(apiInternalUrl: string, sessionCookies: string, timeoutMs: number): Promise<MeResult> {
  const url = new URL(API_ROUTES.me.path, apiInternalUrl);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: MeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = client.request(
      url,
      { agent: agents[url.protocol as 'http:' | 'https:'], headers: { cookie: sessionCookies, accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY) chunks.push(chunk);
        });
        // Error bodies are read to their end too, so the connection goes back to the pool.
        res.on('end', () => {
          if (res.statusCode === 401) return finish({ kind: 'signed_out' });
          if (res.statusCode !== 200) return finish({ kind: 'unavailable', reason: `API answered ${res.statusCode}` });
          try {
            if (size > MAX_BODY) throw new Error('too large');
            finish({ kind: 'signed_in', me: meResponseSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8'))) });
          } catch {
            finish({ kind: 'unavailable', reason: 'API answer outside the contract' });
          }
        });
        res.on('error', () => finish({ kind: 'unavailable', reason: 'API unreachable' }));
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'unavailable', reason: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', () => finish({ kind: 'unavailable', reason: 'API unreachable' }));
    req.end();
  });
}
