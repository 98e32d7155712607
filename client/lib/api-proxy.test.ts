import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorBodySchema, REQUEST_BODY_LIMIT_BYTES } from '@cloakroom/shared';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { forwardToApi } from './api-proxy';

/** The /api edge against the real API (test kit: real Redis, real database) and against
 *  small real servers for what the API does not do on demand: record, hang, reset. */

let kit: TestApp;
let api: Server;
let apiUrl: string;
const ORIGIN = 'http://localhost:3000';

const listen = (server: Server) =>
  new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const close = (server: Server) =>
  new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });

beforeAll(async () => {
  kit = await createTestApp();
  api = createServer(kit.handler);
  apiUrl = await listen(api);
});
afterAll(async () => {
  await close(api);
  await kit.close();
});

const options = (url = apiUrl, timeoutMs = 2000) => ({ apiInternalUrl: url, timeoutMs, maxBodyBytes: REQUEST_BODY_LIMIT_BYTES });
const browserRequest = (path: string, init: RequestInit & { duplex?: 'half' } = {}) => new Request(`${ORIGIN}${path}`, init);

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real server that records every request and answers with `answer`. */
async function recorder(answer: RequestListener = (_req, res) => res.end('{}')) {
  const seen: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      answer(req, res);
    });
  });
  const url = await listen(server);
  return { url, seen, close: () => close(server) };
}

async function contractError(res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return errorBodySchema.parse(await res.json()).error.code;
}

describe('with the real API', () => {
  test('a sign-in passes through: body, status, the session cookie; then /api/me with it', async () => {
    const { email, password } = await kit.createUser();
    const login = await forwardToApi(
      browserRequest('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify({ email, password }),
      }),
      options(),
    );
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(cookie).toMatch(/^sid=/);
    const me = await forwardToApi(browserRequest('/api/me', { headers: { cookie } }), options());
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email);
  });

  test("the API's own errors come back as they are (a body-less logout without a session, a CSRF refusal)", async () => {
    const logout = await forwardToApi(browserRequest('/api/auth/logout', { method: 'POST', headers: { origin: ORIGIN } }), options());
    expect(logout.status).toBe(204);
    const csrf = await forwardToApi(
      browserRequest('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{}' }),
      options(),
    );
    expect(csrf.status).toBe(403);
    expect(await contractError(csrf)).toBe('csrf_rejected');
  });
});

describe('what is passed on', () => {
  test('method, path with its encoding and query, the body, and only the headers the API reads', async () => {
    const upstream = await recorder();
    try {
      await forwardToApi(
        browserRequest('/api/admin/users/a%2Fb?after=x&q=%20', {
          method: 'PATCH',
          headers: {
            'content-type': 'application/json',
            cookie: 'sid=abc',
            origin: ORIGIN,
            'user-agent': 'test-agent',
            'x-request-id': 'req-1',
            'sec-fetch-site': 'same-origin',
            'x-forwarded-for': '127.0.0.1',
            'x-forwarded-proto': 'http',
            'x-cloakroom-user': 'forged',
            'x-middleware-subrequest': 'proxy',
            forwarded: 'for=203.0.113.9',
            'x-real-ip': '203.0.113.9',
            authorization: 'Bearer x',
            'content-encoding': 'gzip',
          },
          body: '{"role":"admin"}',
        }),
        options(upstream.url),
      );
      const [seen] = upstream.seen;
      expect(seen).toMatchObject({ method: 'PATCH', url: '/api/admin/users/a%2Fb?after=x&q=%20', body: '{"role":"admin"}' });
      expect(Object.keys(seen!.headers).sort()).toEqual(
        [
          'connection',
          'content-length',
          'content-type',
          'cookie',
          'host',
          'origin',
          'sec-fetch-site',
          'user-agent',
          'x-forwarded-for',
          'x-forwarded-proto',
          'x-request-id',
        ].sort(),
      );
      expect(seen!.headers['content-length']).toBe('16');
    } finally {
      await upstream.close();
    }
  });

  test('every Set-Cookie of the answer, its status and headers, without hop-by-hop ones', async () => {
    const upstream = await recorder((_req, res) => {
      res.writeHead(201, {
        'set-cookie': ['a=1; Path=/; HttpOnly', 'b=2; Path=/; Expires=Sat, 05 Dec 2099 08:00:00 GMT'],
        'content-type': 'application/json; charset=utf-8',
        'retry-after': '7',
        'keep-alive': 'timeout=5',
      });
      res.end('{"ok":true}');
    });
    try {
      const res = await forwardToApi(browserRequest('/api/x', { method: 'POST', body: '{}' }), options(upstream.url));
      expect(res.status).toBe(201);
      expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/; Expires=Sat, 05 Dec 2099 08:00:00 GMT']);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.headers.get('keep-alive')).toBeNull();
      expect(await res.text()).toBe('{"ok":true}');
    } finally {
      await upstream.close();
    }
  });
});

describe('refused at the edge, never sent on', () => {
  test('a body announced over the cap: 413 at once, without reading it', async () => {
    const upstream = await recorder();
    try {
      // The stream never ends: an answer proves nothing waited for it.
      const endless = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined) });
      const res = await forwardToApi(
        browserRequest('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(200 * 1024) },
          body: endless,
          duplex: 'half',
        }),
        options(upstream.url),
      );
      expect(res.status).toBe(413);
      expect(res.headers.get('connection')).toBe('close');
      expect(await contractError(res)).toBe('payload_too_large');
      expect(upstream.seen).toEqual([]);
    } finally {
      await upstream.close();
    }
  });

  test('a body without a length that grows past the cap: 413 as soon as it does', async () => {
    const upstream = await recorder();
    try {
      let sent = 0;
      const chunk = new Uint8Array(16 * 1024).fill(97);
      const growing = new ReadableStream<Uint8Array>({
        pull(controller) {
          // Past the cap it stops sending but never ends, like a held upload.
          if (sent > REQUEST_BODY_LIMIT_BYTES) return new Promise(() => undefined);
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const res = await forwardToApi(browserRequest('/api/auth/login', { method: 'POST', body: growing, duplex: 'half' }), options(upstream.url));
      expect(res.status).toBe(413);
      expect(await contractError(res)).toBe('payload_too_large');
      expect(upstream.seen).toEqual([]);
    } finally {
      await upstream.close();
    }
  });

  test('exactly the cap is passed on', async () => {
    const upstream = await recorder();
    try {
      const body = 'a'.repeat(REQUEST_BODY_LIMIT_BYTES);
      const res = await forwardToApi(browserRequest('/api/x', { method: 'POST', body }), options(upstream.url));
      expect(res.status).toBe(200);
      expect(upstream.seen[0]!.body.length).toBe(REQUEST_BODY_LIMIT_BYTES);
    } finally {
      await upstream.close();
    }
  });
});

describe('an API that cannot answer: 503 service_unavailable in the contract shape, and why in one line', () => {
  const attempt = async (url: string, timeoutMs = 2000) => {
    const reasons: string[] = [];
    const res = await forwardToApi(browserRequest('/api/me'), options(url, timeoutMs), (r) => reasons.push(r));
    return { res, reasons };
  };

  test('nothing listening', async () => {
    const dead = createServer();
    const url = await listen(dead);
    await close(dead);
    const { res, reasons } = await attempt(url);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await contractError(res)).toBe('service_unavailable');
    expect(reasons).toEqual([`${url} unreachable (ECONNREFUSED)`]);
  });

  test('accepting but never answering: given up after the timeout', async () => {
    const hung = await recorder(() => undefined);
    try {
      const { res, reasons } = await attempt(hung.url, 300);
      expect(res.status).toBe(503);
      expect(await contractError(res)).toBe('service_unavailable');
      expect(reasons).toEqual([`no answer from ${hung.url} within 300 ms`]);
    } finally {
      await hung.close();
    }
  });

  test('closing the connection without an answer', async () => {
    const rude = await recorder((req) => req.socket.destroy());
    try {
      const { res, reasons } = await attempt(rude.url);
      expect(res.status).toBe(503);
      expect(await contractError(res)).toBe('service_unavailable');
      expect(reasons[0]).toMatch(/unreachable \(ECONNRESET\)/);
    } finally {
      await rude.close();
    }
  });
});
