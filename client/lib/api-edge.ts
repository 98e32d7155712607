import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { HEADERS, type ERROR_STATUS, type ErrorBody, type ErrorCode } from '@cloakroom/shared';

/** The browser's same-origin path to the API: every request under /api is sent on to
 *  API_INTERNAL_URL by the client's Node server itself, before Next sees it
 *  (server/edge.cjs hands it here), and the answer comes back as it is.
 *
 *  Not a next.config rewrite: that fixed the API's address at build time, forwarded
 *  bodies Next had cut at 128 kB (the API then waited for the rest: 30 s, then a
 *  plain-text 500), and passed upgrade requests on untouched. Not a route handler either:
 *  Next's app-route machinery made /api/me through the client about 5 times slower than
 *  this (bench: `npm run bench -- --uploads`).
 *
 *  What it guarantees, whatever the caller or the API does:
 *  - a body over the API's own cap is refused here, at once (413 in the contract's
 *    shape), before anything reaches the API; a body is read in full before the API is
 *    asked, so a slow or stalled upload never holds a connection to the API;
 *  - the API has `timeoutMs` to start answering, and may not pause longer than that
 *    while answering; down, refused, reset or too slow becomes 503
 *    `service_unavailable` in the contract's shape, never a bare 500;
 *  - only the request headers the API reads are passed on (the forwarded-for pair as
 *    server/forwarded-headers.cjs rewrote it from the socket), so nothing else a
 *    browser sends reaches the API;
 *  - every Set-Cookie of the answer reaches the browser;
 *  - upgrade requests are refused: the API speaks plain HTTP. */

export interface ApiEdgeOptions {
  apiInternalUrl: string;
  timeoutMs: number;
  maxBodyBytes: number;
}

/** Why the API could not be asked, for the one log line an operator needs. */
export type UpstreamFailure = (reason: string) => void;

/** The path (and query) a request names, normalised as a browser would send it (dot
 *  segments resolved, `%2e` included), when it is under /api; otherwise null. */
export function apiPath(rawUrl: string | undefined): string | null {
  if (!rawUrl) return null;
  let url: URL;
  try {
    url = new URL(rawUrl, 'http://edge.invalid');
  } catch {
    return null;
  }
  return url.pathname === '/api' || url.pathname.startsWith('/api/') ? `${url.pathname}${url.search}` : null;
}

/** The request headers the API reads. Everything else (identity headers of the page
 *  proxy, Forwarded, X-Real-IP, Authorization, Content-Encoding, Host, …) stays here. */
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
  'x-forwarded-for',
  'x-forwarded-proto',
] as const;

/** Hop-by-hop headers of the API's answer (RFC 9110 §7.6.1): this connection's business. */
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** The statuses of the codes the edge answers with, checked against the shared table
 *  by the compiler (a value import of that table would bundle zod into server/dist). */
const STATUS = { payload_too_large: 413, service_unavailable: 503, validation_failed: 400 } as const satisfies Partial<typeof ERROR_STATUS>;
type EdgeCode = keyof typeof STATUS & ErrorCode;

export const UPSTREAM_UNAVAILABLE_MESSAGE = 'The service is unavailable. Please try again in a moment.';

function errorJson(code: EdgeCode, message: string): string {
  const body: ErrorBody = { error: { code, message } };
  return JSON.stringify(body);
}

/** An answer of the edge itself, in the contract's error shape with the status the
 *  shared table fixes for the code. */
function sendError(res: http.ServerResponse, code: EdgeCode, message: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  const body = errorJson(code, message);
  res.writeHead(STATUS[code], {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

const tooLarge = (res: http.ServerResponse, maxBodyBytes: number) =>
  // The rest of the upload is not read: the connection closes after this answer.
  sendError(res, 'payload_too_large', `The request body is larger than ${Math.floor(maxBodyBytes / 1024)} kB`, { connection: 'close' });

/** Reads the whole body, or answers 413 (without reading on) once it passes the cap;
 *  null when the request went away or was answered. */
function readBody(req: http.IncomingMessage, res: http.ServerResponse, maxBodyBytes: number): Promise<Buffer | null> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBodyBytes) {
    tooLarge(res, maxBodyBytes);
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      tooLarge(res, maxBodyBytes);
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(size <= maxBodyBytes ? Buffer.concat(chunks) : null));
    req.on('error', () => resolve(null));
    req.on('close', () => resolve(null));
  });
}

function upstreamHeaders(req: http.IncomingMessage, body: Buffer): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) out[name] = value;
  }
  // The body is passed on whole, so its length is known; a body-less POST says 0.
  if (body.length > 0 || !NO_BODY_METHODS.has(req.method ?? 'GET')) out['content-length'] = String(body.length);
  return out;
}

/** Sends one /api request on to the API and its answer back to the browser. */
export async function serveApiRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  options: ApiEdgeOptions,
  onFailure: UpstreamFailure = () => undefined,
): Promise<void> {
  const body = await readBody(req, res, options.maxBodyBytes);
  if (body === null || res.writableEnded || res.destroyed) return;

  const target = new URL(options.apiInternalUrl);
  const client = target.protocol === 'https:' ? https : http;
  const headers = upstreamHeaders(req, body);
  let upstream: http.ClientRequest;
  let answered = false;
  const fail = (reason: string) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    upstream.destroy();
    onFailure(reason);
    sendError(res, 'service_unavailable', UPSTREAM_UNAVAILABLE_MESSAGE, { 'retry-after': '5' });
  };
  const send = (retried: boolean) => {
    // `path` always starts with /api and is appended to the configured origin, so it can
    // never name another host.
    upstream = client.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path,
        headers,
        agent: agents[target.protocol as 'http:' | 'https:'],
      },
      (answer) => {
        if (answered) return void answer.resume();
        answered = true;
        clearTimeout(timer);
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) res.setHeader(name, value);
        }
        res.writeHead(answer.statusCode ?? 502);
        // Past the headers, an API that stops sending ends the answer rather than hanging it.
        answer.setTimeout(options.timeoutMs, () => answer.destroy(new Error('API stopped sending')));
        answer.on('error', () => res.destroy());
        answer.pipe(res);
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive connection the API closed just as it was reused: the request never
      // reached the API, so it is sent once more on a fresh connection.
      if (!answered && !retried && upstream.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return send(true);
      fail(`${options.apiInternalUrl} unreachable (${err.code ?? err.message})`);
    });
    upstream.end(body);
  };
  const timer = setTimeout(() => fail(`no answer from ${options.apiInternalUrl} within ${options.timeoutMs} ms`), options.timeoutMs);
  // A browser that goes away takes its request to the API with it.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  send(false);
}

/** Upgrade requests (`Connection: Upgrade`) under /api: the API speaks plain HTTP, so
 *  they are answered here and the connection closed; nothing reaches the API. */
export function refuseApiUpgrade(socket: Duplex): void {
  const body = errorJson('validation_failed', 'Upgrade requests are not accepted under /api');
  socket.end(
    `HTTP/1.1 ${STATUS.validation_failed} Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
