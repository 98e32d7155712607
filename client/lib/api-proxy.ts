import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { ERROR_STATUS, HEADERS, type ErrorBody, type ErrorCode } from '@cloakroom/shared';

/** The browser's same-origin path to the API: every /api request is sent on to
 *  API_INTERNAL_URL from here, at run time (so a build serves any API address).
 *
 *  What it guarantees, whatever the caller or the API does:
 *  - a body over the API's own cap is refused here, at once (413 in the contract's
 *    shape), before anything reaches the API; a body is read in full before the API is
 *    asked, so a slow or stalled upload never holds a connection to the API;
 *  - the API has `timeoutMs` to start answering; down, refused, reset or too slow
 *    becomes 503 `service_unavailable` in the contract's shape, never a bare 500;
 *  - only the request headers the API reads are passed on (the forwarded-for pair as
 *    the preload rewrote it from the socket), so nothing a browser adds reaches the API;
 *  - every Set-Cookie of the answer reaches the browser. */

export interface ApiProxyOptions {
  apiInternalUrl: string;
  timeoutMs: number;
  maxBodyBytes: number;
}

/** The request headers the API reads. Everything else (identity headers of the page
 *  proxy, Forwarded, X-Real-IP, Upgrade, Host, Content-Encoding, …) stays here. */
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'cookie',
  'origin',
  'user-agent',
  HEADERS.requestId.toLowerCase(),
  'sec-fetch-site',
  'sec-fetch-mode',
  'sec-fetch-dest',
  'sec-fetch-user',
  'access-control-request-method',
  'access-control-request-headers',
  // Set from the socket by server/forwarded-headers.cjs before Next sees the request.
  'x-forwarded-for',
  'x-forwarded-proto',
] as const;

/** Hop-by-hop headers of the API's answer (RFC 9110 §7.6.1) and framing Node redoes. */
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length']);

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export const UPSTREAM_UNAVAILABLE_MESSAGE = 'The service is unavailable. Please try again in a moment.';

/** An answer of the edge itself, in the contract's error shape and with the status the
 *  shared table fixes for the code. */
export function edgeError(code: ErrorCode, message: string, extra: Record<string, string> = {}): Response {
  const body: ErrorBody = { error: { code, message } };
  return new Response(JSON.stringify(body), {
    status: ERROR_STATUS[code],
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra },
  });
}

const tooLarge = (maxBodyBytes: number) =>
  // The rest of the upload is not read: the connection closes after this answer.
  edgeError('payload_too_large', `The request body is larger than ${Math.floor(maxBodyBytes / 1024)} kB`, { connection: 'close' });

type BodyResult = { ok: true; body: Buffer | null } | { ok: false; response: Response };

/** Reads the whole body, refusing it (without reading on) once it passes the cap. */
async function readBody(request: Request, maxBodyBytes: number): Promise<BodyResult> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBodyBytes) return { ok: false, response: tooLarge(maxBodyBytes) };
  if (NO_BODY_METHODS.has(request.method) || request.body === null) return { ok: true, body: null };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, response: tooLarge(maxBodyBytes) };
    }
    chunks.push(value);
  }
  return { ok: true, body: Buffer.concat(chunks) };
}

function upstreamHeaders(request: Request, body: Buffer | null): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) out[name] = value;
  }
  // The body is passed on whole, so its length is known; a body-less POST says 0.
  if (body !== null || !NO_BODY_METHODS.has(request.method)) out['content-length'] = String(body?.length ?? 0);
  return out;
}

function browserHeaders(res: http.IncomingMessage): Headers {
  const out = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i]!;
    if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) out.append(name, res.rawHeaders[i + 1]!);
  }
  return out;
}

/** Why the API could not be asked, for the one log line an operator needs. */
export type UpstreamFailure = (reason: string) => void;

/** Sends one /api request on to the API and returns what the browser gets. */
export async function forwardToApi(request: Request, options: ApiProxyOptions, onFailure: UpstreamFailure = () => undefined): Promise<Response> {
  const read = await readBody(request, options.maxBodyBytes);
  if (!read.ok) return read.response;

  const incoming = new URL(request.url);
  // The path is appended to the configured origin as it came (percent-encoding and all);
  // it always starts with /api, so it can never name another host.
  const target = new URL(options.apiInternalUrl);
  const path = `${incoming.pathname}${incoming.search}`;
  const client = target.protocol === 'https:' ? https : http;

  return new Promise<Response>((resolve) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      upstream.destroy();
      onFailure(reason);
      resolve(edgeError('service_unavailable', UPSTREAM_UNAVAILABLE_MESSAGE, { 'retry-after': '5' }));
    };
    const upstream = client.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: request.method,
        path,
        headers: upstreamHeaders(request, read.body),
        agent: agents[target.protocol as 'http:' | 'https:'],
      },
      (res) => {
        if (settled) return void res.resume();
        settled = true;
        clearTimeout(timer);
        // Past the headers, a stalled body ends the answer rather than hanging it.
        res.setTimeout(options.timeoutMs, () => res.destroy(new Error('API stopped sending')));
        const status = res.statusCode ?? 502;
        const empty = request.method === 'HEAD' || status === 204 || status === 304;
        if (empty) res.resume();
        resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: browserHeaders(res) }));
      },
    );
    const timer = setTimeout(() => fail(`no answer from ${options.apiInternalUrl} within ${options.timeoutMs} ms`), options.timeoutMs);
    upstream.on('error', (err: NodeJS.ErrnoException) => fail(`${options.apiInternalUrl} unreachable (${err.code ?? err.message})`));
    // A browser that goes away takes its request to the API with it.
    request.signal.addEventListener('abort', () => upstream.destroy(), { once: true });
    upstream.end(read.body ?? undefined);
  });
}
