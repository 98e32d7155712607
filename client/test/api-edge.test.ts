import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { ERROR_STATUS, errorBodySchema, REQUEST_BODY_LIMIT_BYTES } from '@cloakroom/shared';
import { closeServer, createTestApp, listenOn, type TestApp } from '@cloakroom/server/testing';
import { apiPath, refuseApiUpgrade, serveApiRequest, type ApiEdgeOptions } from '../lib/api-edge';

/** The /api edge as the client's server runs it, on a real server in front of the real
 *  API (test kit: real Redis, real database), and in front of small real servers for
 *  what the API does not do on demand: record, hang, reset. */

let kit: TestApp;
let apiUrl: string;

beforeAll(async () => {
  kit = await createTestApp();
  apiUrl = await kit.listen(); // what production serves, on a real port; kit.close() stops it
});
afterAll(() => kit.close());

/** A server that does what the client's server does for /api (server/edge.cjs), in
 *  front of `upstream`; its origin is the page origin the API trusts in the kit. */
async function edge(upstream = apiUrl, timeoutMs = 2000) {
  const options: ApiEdgeOptions = { apiInternalUrl: upstream, timeoutMs, maxBodyBytes: REQUEST_BODY_LIMIT_BYTES };
  const failures: string[] = [];
  const server = createServer((req, res) => {
    const path = apiPath(req.url);
    if (path === null) return void res.writeHead(404).end('not /api');
    void serveApiRequest(req, res, path, options, (reason) => failures.push(reason));
  });
  server.on('upgrade', (_req, socket: net.Socket) => refuseApiUpgrade(socket));
  const url = await listenOn(server);
  return { url, failures, close: () => closeServer(server) };
}

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real server that records every request it reads to the end, and answers with `answer`. */
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
  const url = await listenOn(server);
  return { url, seen, close: () => closeServer(server) };
}

/** Writes `head` and `body` on a raw connection and waits for the first answer's status
 *  line, or null when none comes within `waitMs` (the connection is held meanwhile). */
function rawStatus(url: string, head: string, body: string | Buffer, waitMs = 5000): Promise<{ status: number; text: string } | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(head);
      socket.write(body);
    });
    const timer = setTimeout(() => finish(), waitMs);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      resolve(status ? { status: Number(status), text } : null);
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (/\r\n\r\n[\s\S]*\}/.test(text)) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
  });
}

async function contractError(res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const { code } = errorBodySchema.parse(await res.json()).error;
  expect(res.status).toBe(ERROR_STATUS[code]);
  return code;
}

describe('which requests are /api', () => {
  test.each([
    ['/api', '/api'],
    ['/api/me', '/api/me'],
    ['/api/me?x=1', '/api/me?x=1'],
    ['/api/admin/users/a%2Fb?q=%20', '/api/admin/users/a%2Fb?q=%20'],
    ['/x/../api/me', '/api/me'],
    ['/%2e%2e/api/me', '/api/me'],
    ['http://elsewhere.example/api/me', '/api/me'],
  ])('%s is sent on as %s', (raw, expected) => {
    expect(apiPath(raw)).toBe(expected);
  });

  test.each(['/', '/apix', '/api-docs', '/dashboard?next=/api/me', '/api/../dashboard', '/API/me', '/%61pi/me', undefined])('%s is not', (raw) => {
    expect(apiPath(raw)).toBeNull();
  });
});

describe('with the real API', () => {
  test('a sign-in passes through: body, status, the session cookie; then /api/me with it', async () => {
    const front = await edge();
    try {
      const { email, password } = await kit.createUser();
      const login = await fetch(`${front.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: kit.config.appOrigin },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
      expect(cookie).toMatch(/^sid=/);
      const me = await fetch(`${front.url}/api/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email);
    } finally {
      await front.close();
    }
  });

  test("the API's own answers come back as they are (a body-less logout, a CSRF refusal, HEAD)", async () => {
    const front = await edge();
    try {
      const logout = await fetch(`${front.url}/api/auth/logout`, { method: 'POST', headers: { origin: kit.config.appOrigin } });
      expect(logout.status).toBe(204);
      const csrf = await fetch(`${front.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: '{}',
      });
      expect(await contractError(csrf)).toBe('csrf_rejected');
      const head = await fetch(`${front.url}/api/me`, { method: 'HEAD' });
      expect(head.status).toBe(401);
    } finally {
      await front.close();
    }
  });
});

describe('what is passed on', () => {
  test('method, path with its encoding and query, the body, and only the headers the API reads', async () => {
    const upstream = await recorder();
    const front = await edge(upstream.url);
    try {
      await fetch(`${front.url}/api/admin/users/a%2Fb?after=x&q=%20`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          cookie: 'sid=abc',
          origin: 'http://localhost:3000',
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
        },
        body: '{"role":"admin"}',
      });
      const [seen] = upstream.seen;
      expect(seen).toMatchObject({ method: 'PATCH', url: '/api/admin/users/a%2Fb?after=x&q=%20', body: '{"role":"admin"}' });
      expect(Object.keys(seen!.headers).sort()).toEqual(
        [
          // fetch adds accept, accept-language and sec-fetch-mode itself: all read by the API.
          'accept',
          'accept-language',
          'connection',
          'content-length',
          'content-type',
          'cookie',
          'host',
          'origin',
          'sec-fetch-mode',
          'sec-fetch-site',
          'user-agent',
          'x-forwarded-for',
          'x-forwarded-proto',
          'x-request-id',
        ].sort(),
      );
      expect(seen!.headers['content-length']).toBe('16');
    } finally {
      await front.close();
      await upstream.close();
    }
  });

  test('every Set-Cookie of the answer, its status and headers, without hop-by-hop ones', async () => {
    const upstream = await recorder((_req, res) => {
      res.writeHead(201, {
        'set-cookie': ['a=1; Path=/; HttpOnly', 'b=2; Path=/; Expires=Sat, 05 Dec 2099 08:00:00 GMT'],
        'content-type': 'application/json; charset=utf-8',
        'retry-after': '7',
        'keep-alive': 'timeout=99',
      });
      res.end('{"ok":true}');
    });
    const front = await edge(upstream.url);
    try {
      const res = await fetch(`${front.url}/api/x`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(201);
      expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/; Expires=Sat, 05 Dec 2099 08:00:00 GMT']);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.headers.get('keep-alive')).not.toBe('timeout=99');
      expect(await res.text()).toBe('{"ok":true}');
    } finally {
      await front.close();
      await upstream.close();
    }
  });
});

describe('refused at the edge, never sent on', () => {
  const head = (url: string, framing: string) =>
    [`POST /api/auth/login HTTP/1.1`, `Host: ${new URL(url).host}`, 'Content-Type: application/json', framing, '', ''].join('\r\n');

  test('a body announced over the cap, held open: 413 at once, in the contract shape, and the connection closed', async () => {
    const upstream = await recorder();
    const front = await edge(upstream.url);
    try {
      const answer = await rawStatus(front.url, head(front.url, `Content-Length: ${200 * 1024}`), Buffer.alloc(150 * 1024, 'a'));
      expect(answer?.status).toBe(413);
      expect(answer?.text).toMatch(/connection: close/i);
      expect(answer?.text).toContain('"code":"payload_too_large"');
      expect(upstream.seen).toEqual([]);
    } finally {
      await front.close();
      await upstream.close();
    }
  });

  test('a chunked body that grows past the cap, then stops: 413 as soon as it passes', async () => {
    const upstream = await recorder();
    const front = await edge(upstream.url);
    try {
      const size = REQUEST_BODY_LIMIT_BYTES + 10;
      const answer = await rawStatus(front.url, head(front.url, 'Transfer-Encoding: chunked'), `${size.toString(16)}\r\n${'a'.repeat(size)}\r\n`);
      expect(answer?.status).toBe(413);
      expect(upstream.seen).toEqual([]);
    } finally {
      await front.close();
      await upstream.close();
    }
  });

  test('exactly the cap is passed on', async () => {
    const upstream = await recorder();
    const front = await edge(upstream.url);
    try {
      const res = await fetch(`${front.url}/api/x`, { method: 'POST', body: 'a'.repeat(REQUEST_BODY_LIMIT_BYTES) });
      expect(res.status).toBe(200);
      expect(upstream.seen[0]!.body.length).toBe(REQUEST_BODY_LIMIT_BYTES);
    } finally {
      await front.close();
      await upstream.close();
    }
  });

  test('an upgrade request: 400 in the contract shape, and nothing reaches the API', async () => {
    const upstream = await recorder();
    const front = await edge(upstream.url);
    try {
      const upgrade = [
        'GET /api/me HTTP/1.1',
        `Host: ${new URL(front.url).host}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'X-Forwarded-For: 203.0.113.9',
        '',
        '',
      ].join('\r\n');
      const answer = await rawStatus(front.url, upgrade, '');
      expect(answer?.status).toBe(400);
      expect(answer?.text).toContain('"code":"validation_failed"');
      expect(upstream.seen).toEqual([]);
    } finally {
      await front.close();
      await upstream.close();
    }
  });
});

test('a kept-alive connection the API closes as it is reused: the request is sent again on a new one, not answered 503', async () => {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  // Answers the first request on its first connection, then drops that connection when
  // the next request arrives on it (as a server does whose idle timeout just passed).
  const api = net.createServer((socket) => {
    const n = ++connections;
    sockets.add(socket);
    let requests = 0;
    socket.on('data', () => {
      requests++;
      if (n === 1 && requests > 1) return void socket.destroy();
      const body = JSON.stringify({ connection: n });
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  const front = await edge(`http://127.0.0.1:${(api.address() as AddressInfo).port}`);
  try {
    const first = await fetch(`${front.url}/api/a`);
    expect(await first.json()).toEqual({ connection: 1 });
    const second = await fetch(`${front.url}/api/b`, { method: 'POST', body: '{}' });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ connection: 2 });
    expect(front.failures).toEqual([]);
  } finally {
    await front.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => api.close(r));
  }
});

describe('an API that cannot answer: 503 service_unavailable in the contract shape, and why in one line', () => {
  test('nothing listening', async () => {
    const dead = createServer();
    const deadUrl = await listenOn(dead);
    await closeServer(dead);
    const front = await edge(deadUrl);
    try {
      const res = await fetch(`${front.url}/api/me`);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await contractError(res)).toBe('service_unavailable');
      expect(front.failures).toEqual([`${deadUrl} unreachable (ECONNREFUSED)`]);
    } finally {
      await front.close();
    }
  });

  test('accepting but never answering: given up after the timeout', async () => {
    const hung = await recorder(() => undefined);
    const front = await edge(hung.url, 300);
    try {
      const res = await fetch(`${front.url}/api/me`);
      expect(await contractError(res)).toBe('service_unavailable');
      expect(front.failures).toEqual([`no answer from ${hung.url} within 300 ms`]);
    } finally {
      await front.close();
      await hung.close();
    }
  });

  test('closing the connection without an answer', async () => {
    const rude = await recorder((req) => req.socket.destroy());
    const front = await edge(rude.url);
    try {
      const res = await fetch(`${front.url}/api/me`);
      expect(await contractError(res)).toBe('service_unavailable');
      expect(front.failures[0]).toMatch(/unreachable \((ECONNRESET|socket hang up)\)/);
    } finally {
      await front.close();
      await rude.close();
    }
  });
});
