import { execFileSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// The module is CommonJS on purpose (node --require loads it before Next).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { rewriteForwarded, compileTrust } = require('./forwarded-headers.cjs') as {
  rewriteForwarded: (req: unknown, trust: (addr: string, i: number) => boolean) => void;
  compileTrust: (raw: string | undefined) => (addr: string, i: number) => boolean;
};

/** A real server applying the rewrite to what a real client sends. */
async function seenBy(trust: string | undefined, headers: Record<string, string>): Promise<IncomingHttpHeaders> {
  const fn = compileTrust(trust);
  let seen: IncomingHttpHeaders = {};
  const server: Server = createServer((req, res) => {
    rewriteForwarded(req, fn);
    seen = { ...req.headers };
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/login`, { headers });
    await res.arrayBuffer();
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  return seen;
}

/** What the API sees when a browser sent made-up forwarding headers: the real peer over
 *  plain HTTP, and none of the browser's claims. */
function expectOnlyTheRealPeer(seen: IncomingHttpHeaders): void {
  expect(seen['x-forwarded-for']).toBe('127.0.0.1');
  expect(seen['x-forwarded-proto']).toBe('http');
  expect(seen.forwarded).toBeUndefined();
  expect(seen['x-real-ip']).toBeUndefined();
}

describe('forwarded headers for the API behind the /api path', () => {
  test('a browser cannot name its own address or claim https', async () => {
    const seen = await seenBy(undefined, {
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-proto': 'https',
      forwarded: 'for=203.0.113.9',
      'x-real-ip': '203.0.113.9',
    });
    expectOnlyTheRealPeer(seen);
  });

  test('without any forwarded headers the socket is still named', async () => {
    const seen = await seenBy(undefined, {});
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
  });

  test('behind a trusted proxy (WEB_TRUST_PROXY) its client address and scheme are kept', async () => {
    const seen = await seenBy('loopback', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9', 'x-forwarded-proto': 'https' });
    expect(seen['x-forwarded-for']).toBe('203.0.113.9');
    expect(seen['x-forwarded-proto']).toBe('https');
  });

  test('a trusted proxy chain is walked only as far as it is trusted', async () => {
    const seen = await seenBy('loopback, 10.0.0.0/8', { 'x-forwarded-for': '198.51.100.1, 10.1.2.3' });
    expect(seen['x-forwarded-for']).toBe('198.51.100.1');
  });

  test('a hop count trusts that many proxies', async () => {
    const seen = await seenBy('1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9', 'x-forwarded-proto': 'https, http' });
    expect(seen['x-forwarded-for']).toBe('203.0.113.9');
    expect(seen['x-forwarded-proto']).toBe('https');
  });

  test('"true" is refused: it would trust every client', () => {
    expect(() => compileTrust('true')).toThrow(/WEB_TRUST_PROXY must name the proxies/);
  });
});

/** Upgrade requests in a process of their own with the hook installed as the preload
 *  installs it (it patches Node's servers, which this test process must not keep). */
function upgradeSeenBy(trust: string | undefined, headers: Record<string, string>): IncomingHttpHeaders {
  const script = `
    require(${JSON.stringify(require.resolve('./forwarded-headers.cjs'))}).install(process.env);
    const http = require('node:http');
    const net = require('node:net');
    const server = http.createServer();
    server.on('upgrade', (req, socket) => {
      process.stdout.write(JSON.stringify(req.headers));
      socket.destroy();
      server.close();
    });
    server.listen(0, '127.0.0.1', () => {
      const head = ['GET /api/me HTTP/1.1', 'Host: x', 'Connection: Upgrade', 'Upgrade: websocket', ...Object.entries(${JSON.stringify(headers)}).map(([k, v]) => k + ': ' + v), '', ''];
      net.connect(server.address().port, '127.0.0.1', function () { this.write(head.join('\\r\\n')); }).on('error', () => {});
    });`;
  const env = { PATH: process.env.PATH ?? '', ...(trust ? { WEB_TRUST_PROXY: trust } : {}) } as unknown as NodeJS.ProcessEnv;
  const out = execFileSync(process.execPath, ['-e', script], { env, timeout: 10_000 });
  return JSON.parse(out.toString()) as IncomingHttpHeaders;
}

describe('upgrade requests (Connection: Upgrade) get the same rewrite', () => {
  test('a browser cannot name its own address or claim https on an upgrade either', () => {
    const seen = upgradeSeenBy(undefined, {
      'X-Forwarded-For': '203.0.113.9',
      'X-Forwarded-Proto': 'https',
      Forwarded: 'for=203.0.113.9',
      'X-Real-IP': '203.0.113.9',
    });
    expectOnlyTheRealPeer(seen);
  });

  test('behind a trusted proxy its values are kept, as for ordinary requests', () => {
    const seen = upgradeSeenBy('loopback', { 'X-Forwarded-For': '198.51.100.1, 203.0.113.9', 'X-Forwarded-Proto': 'https' });
    expect(seen['x-forwarded-for']).toBe('203.0.113.9');
    expect(seen['x-forwarded-proto']).toBe('https');
  });
});
