/**
 * The client's /api path as an attacker and an outage see it (issue 8, items 4 and 7):
 * oversized and held uploads, the API stopped or hanging, upgrade requests carrying
 * made-up forwarded headers. Raw sockets and fetch against the built client; where the
 * API's side must be observed, the API is stopped and a recording server takes its port.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import net from 'node:net';
import { errorBodySchema } from '@cloakroom/shared';
import { apiSignIn, PASSWORD, uniqueEmail } from './helpers';
import { startStack, type Stack } from './stack';

let stack: Stack;
beforeAll(async () => (stack = await startStack()));
afterAll(() => stack?.close());

const origin = () => new URL(stack.origin);

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/** Sends `head` and `body` on a new connection and keeps it open (the rest of the
 *  announced body never comes), until an answer arrives or `waitMs` passes. */
function heldRequest(head: string, body: Buffer | string, waitMs: number): Promise<RawAnswer | 'no answer'> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(origin().port), origin().hostname, () => {
      socket.write(head);
      socket.write(body);
    });
    let data = '';
    const done = (result: RawAnswer | 'no answer') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('no answer'), waitMs);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = data.slice(0, end);
      const rest = data.slice(end + 4);
      // Chunked or not, the answer here is one small JSON document: wait for its end.
      const json = /\{[\s\S]*\}/.exec(rest)?.[0];
      if (json && /\}\s*(\r\n0\r\n\r\n)?$/.test(rest)) done({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1]), headers, body: json });
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done('no answer'));
  });
}

const uploadHead = (length: number) =>
  [`POST /api/auth/login HTTP/1.1`, `Host: ${origin().host}`, 'Content-Type: application/json', `Content-Length: ${length}`, '', ''].join('\r\n');

function expectContractError(body: string, code: string): void {
  const parsed = errorBodySchema.parse(JSON.parse(body));
  expect(parsed.error.code).toBe(code);
}

describe('oversized bodies are refused at the edge, at once', () => {
  test('a 200 kB upload held open after 150 kB gets 413 in the contract shape while it is still held', async () => {
    const answer = await heldRequest(uploadHead(200 * 1024), Buffer.alloc(150 * 1024, 'a'), 15_000);
    expect(answer).not.toBe('no answer');
    if (answer === 'no answer') return;
    expect(answer.status).toBe(413);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expectContractError(answer.body, 'payload_too_large');
  });

  test('a chunked body that grows past 100 kB gets 413 as soon as it does', async () => {
    const head = [`POST /api/auth/login HTTP/1.1`, `Host: ${origin().host}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', '', ''].join(
      '\r\n',
    );
    const chunk = `${(110 * 1024).toString(16)}\r\n${'a'.repeat(110 * 1024)}\r\n`;
    const answer = await heldRequest(head, chunk, 15_000);
    expect(answer).not.toBe('no answer');
    if (answer === 'no answer') return;
    expect(answer.status).toBe(413);
    expectContractError(answer.body, 'payload_too_large');
  });

  test('while 50 such uploads are held, a signed-in browser call to /api/me still answers', async () => {
    const email = uniqueEmail('held');
    await stack.createUser(email, PASSWORD);
    const cookie = await apiSignIn(stack.origin, email, PASSWORD);
    const held = Array.from({ length: 50 }, () => heldRequest(uploadHead(200 * 1024), Buffer.alloc(150 * 1024, 'a'), 15_000));
    const me = await fetch(`${stack.origin}/api/me`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email);
    for (const answer of await Promise.all(held)) expect(answer === 'no answer' ? answer : answer.status).toBe(413);
  });

  test('a body just under the cap still reaches the API (and is judged there)', async () => {
    const res = await fetch(`${stack.origin}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.origin },
      body: JSON.stringify({ email: 'x@example.test', password: 'p'.repeat(99 * 1024) }),
    });
    expect(res.status).toBe(400);
    expectContractError(await res.text(), 'validation_failed');
  });
});

interface Seen {
  kind: 'request' | 'upgrade';
  url: string;
  headers: IncomingHttpHeaders;
}

/** Stops the API and puts a server in its place, on its port, that records what
 *  reaches it and answers with `handler`; `restore` brings the API back. */
async function standIn(handler: RequestListener): Promise<{ seen: Seen[]; restore: () => Promise<void> }> {
  await stack.stopApi();
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ kind: 'request', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: net.Socket) => {
    seen.push({ kind: 'upgrade', url: req.url ?? '', headers: req.headers });
    socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(new URL(stack.apiUrl).port), '127.0.0.1', () => resolve());
  });
  return {
    seen,
    restore: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await stack.startApi();
    },
  };
}

describe('an API that is down or hangs: 503 service_unavailable in the contract shape', () => {
  test('API stopped: /api/me and a sign-in answer 503 JSON, then work again once it is back', async () => {
    await stack.stopApi();
    try {
      for (const [path, init] of [
        ['/api/me', {}],
        [
          '/api/auth/login',
          { method: 'POST', headers: { 'content-type': 'application/json', origin: stack.origin }, body: '{"email":"a@b.c","password":"x"}' },
        ],
      ] as const) {
        const res = await fetch(`${stack.origin}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
        expect([path, res.status]).toEqual([path, 503]);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expectContractError(await res.text(), 'service_unavailable');
      }
    } finally {
      await stack.startApi();
    }
    const back = await fetch(`${stack.origin}/api/me`);
    expect(back.status).toBe(401);
  });

  test('API accepting connections but never answering: 503 JSON once the edge stops waiting', async () => {
    const hung = await standIn(() => undefined);
    try {
      const res = await fetch(`${stack.origin}/api/me`, { signal: AbortSignal.timeout(20_000) });
      expect(res.status).toBe(503);
      expectContractError(await res.text(), 'service_unavailable');
      expect(hung.seen.map((s) => s.url)).toEqual(['/api/me']);
    } finally {
      await hung.restore();
    }
  });
});

describe('what reaches the API through /api', () => {
  const SPOOFED = { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https', Forwarded: 'for=203.0.113.9;proto=https', 'X-Real-IP': '203.0.113.9' };

  test('an upgrade request with made-up forwarded headers is refused, and never reaches the API', async () => {
    const api = await standIn((_req, res) =>
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthenticated","message":"Sign in"}}'),
    );
    try {
      const head = [
        'GET /api/me HTTP/1.1',
        `Host: ${origin().host}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        ...Object.entries(SPOOFED).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ].join('\r\n');
      const answer = await heldRequest(head, '', 5000);
      // Refused by the client itself, in the contract's shape: no upgrade, no 101.
      expect(answer === 'no answer' ? answer : answer.status).toBe(400);
      if (answer !== 'no answer') expectContractError(answer.body, 'validation_failed');
      expect(api.seen).toEqual([]);
    } finally {
      await api.restore();
    }
  });

  test('an ordinary request passes the socket address, no identity or other forwarding headers, and every Set-Cookie back', async () => {
    const api = await standIn((_req, res) => {
      res.setHeader('set-cookie', ['first=1; Path=/; HttpOnly', 'second=2; Path=/; Expires=Sat, 05 Dec 2099 08:00:00 GMT']);
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    try {
      const res = await fetch(`${stack.origin}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: stack.origin, 'x-cloakroom-user': 'forged', 'x-request-id': 'e2e-edge-1', ...SPOOFED },
        body: '{}',
      });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual(['first=1; Path=/; HttpOnly', 'second=2; Path=/; Expires=Sat, 05 Dec 2099 08:00:00 GMT']);
      const seen = api.seen[0]!.headers;
      expect(seen['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen['x-forwarded-proto']).toBe('http');
      expect(seen['x-request-id']).toBe('e2e-edge-1');
      expect(seen.origin).toBe(stack.origin);
      for (const name of ['forwarded', 'x-real-ip', 'x-cloakroom-user']) expect([name, seen[name]]).toEqual([name, undefined]);
    } finally {
      await api.restore();
    }
  });
});
