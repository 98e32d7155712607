import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import { HEADERS } from '@cloakroom/shared';

/** Anything that could carry a credential, wherever it appears in a log object. Request
 *  logs also leave headers and query strings out entirely; this is the second lock. */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.passwordHash',
  '*.cookie',
  '*.sessionID',
  '*.sid',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'cloakroom-api' } }, destination);
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const REQUEST_ID_HEADER = HEADERS.requestId.toLowerCase();
const UNLOGGED = new Set(['/healthz', '/readyz']);

declare module 'http' {
  interface IncomingMessage {
    /** The request id (the client's X-Request-Id when well-formed, else a fresh UUID). */
    id: string;
    /** A logger whose lines carry this request's id (made on first use). */
    log: Logger;
  }
}

/** The request id: the client's X-Request-Id when it is well-formed, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

const accessLoggers = new WeakMap<Logger, Logger>();

/** The request line holds fixed fields only (an id that matched REQUEST_ID, the method,
 *  the path without its query, status, time): nothing key-based redaction could catch.
 *  Redaction was 7% of GET /api/me's CPU, so these lines skip it; every other log line
 *  keeps it. */
function accessLogger(logger: Logger): Logger {
  let access = accessLoggers.get(logger);
  if (!access) accessLoggers.set(logger, (access = logger.child({}, { redact: [] })));
  return access;
}

/** Writes the one line a request gets when it ends (shared by the Express middleware
 *  below and the GET /api/me fast path, so both log exactly alike). */
export function logRequest(logger: Logger, id: string, method: string | undefined, path: string, status: number, started: number, aborted = false): void {
  const line = { req: { id, method, path }, res: { statusCode: status }, responseTime: Math.round(performance.now() - started) };
  const log = accessLogger(logger);
  if (aborted) log.warn(line, 'request aborted');
  else if (status >= 500) log.error(line, 'request errored');
  else log.info(line, 'request completed');
}

/** One line per request when it ends: method, path without its query, status, time,
 *  request id ("request aborted" when the client went away first). The same line
 *  pino-http writes, without its per-request cost: pino-http builds two child loggers
 *  and serializes the request up front on every request, which a CPU profile of
 *  GET /api/me showed among the largest costs of the route (see docs/performance.md).
 *  Here the child logger for `req.log` is made only if something logs through it. */
export function requestLogger(logger: Logger): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const started = performance.now();
    const id = requestIdOf(req);
    res.setHeader(HEADERS.requestId, id);
    req.id = id;
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', { configurable: true, enumerable: false, get: () => (child ??= logger.child({ reqId: id })) });
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (!UNLOGGED.has(path)) res.once('close', () => logRequest(logger, id, req.method, path, res.statusCode, started, !res.writableFinished));
    next();
  };
}
