import { createServer, type IncomingHttpHeaders } from 'node:http';
import { API_ROUTES, IDENTITY_HEADERS, PAGES } from '@cloakroom/shared';
import { closeServer, createTestApp, listenOn, type TestApp } from '@cloakroom/server/testing';
import { NextRequest } from 'next/server';
import { deriveIdentityKey, verifyIdentity } from '../lib/identity-token';
import { gatePage } from '../lib/page-gate';

/** The proxy's gate end to end against the real API as production serves it (the test
 *  kit's handler: real Redis, real DB, the GET /api/me fast path), and against small real
 *  servers for what the API does not do on demand: hang, 500, close. */

const key = deriveIdentityKey('a secret of at least thirty-two characters');
let kit: TestApp;
let apiUrl: string;

beforeAll(async () => {
  kit = await createTestApp();
  apiUrl = await kit.listen(); // what production serves, on a real port; kit.close() stops it
});
afterAll(() => kit.close());

const request = (path: string, headers: Record<string, string> = {}) => new NextRequest(`http://localhost:3000${path}`, { headers });
const gate = (r: NextRequest, url = apiUrl, timeoutMs = 1500) => gatePage(r, { apiInternalUrl: url, apiTimeoutMs: timeoutMs, gateOff: false }, key);
/** Request headers the proxy hands on to the page (Next's encoding in the response). */
const passed = (res: Response, name: string) => res.headers.get(`x-middleware-request-${name}`);

async function sessionCookie(role: 'user' | 'admin' = 'user') {
  const { agent, user } = await kit.signedInAgent({ role });
  const res = await agent.get(API_ROUTES.me.path);
  const cookie = (res.request as unknown as { cookies: string }).cookies;
  return { cookie, user, agent };
}

test('a signed-in request passes with identity headers only the page can verify', async () => {
  const { cookie, user } = await sessionCookie();
  const served = kit.handler.stats.served;
  const res = await gate(request(PAGES.dashboard, { cookie, [IDENTITY_HEADERS.user]: 'forged', 'x-middleware-subrequest': 'proxy:proxy' }));
  expect(res.headers.get('x-middleware-next')).toBe('1');
  const verified = verifyIdentity(key, passed(res, IDENTITY_HEADERS.user), passed(res, IDENTITY_HEADERS.signature), '/dashboard');
  expect(verified).toMatchObject({ ok: true, user: { id: user.id, email: user.email, role: 'user' } });
  expect(passed(res, 'x-middleware-subrequest')).toBeNull();
  expect(res.headers.get('x-middleware-override-headers')).not.toContain('x-middleware-subrequest');
  // The identity never goes to the browser.
  expect(res.headers.get(IDENTITY_HEADERS.user)).toBeNull();
  expect(res.headers.get('content-security-policy')).toMatch(/'nonce-[^']+'/);
  // The proxy's question was answered by production's GET /api/me fast path.
  expect(kit.handler.stats.served).toBe(served + 1);
});

test('served over https (as the forwarded scheme says), responses carry HSTS and upgrade requests', async () => {
  const res = await gate(new NextRequest('https://app.example.test/login'));
  expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  expect(res.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  const plain = await gate(request('/login'));
  expect(plain.headers.get('strict-transport-security')).toBeNull();
});

test('forged identity headers without a cookie are dropped and the visitor sent to sign-in', async () => {
  const res = await gate(request('/dashboard?x=1', { [IDENTITY_HEADERS.user]: 'a', [IDENTITY_HEADERS.signature]: 'b' }));
  expect(res.status).toBe(307);
  expect(new URL(res.headers.get('location')!).pathname + new URL(res.headers.get('location')!).search).toBe('/login?next=%2Fdashboard%3Fx%3D1');
});

test('public pages drop forged identity headers too', async () => {
  const res = await gate(request('/', { [IDENTITY_HEADERS.user]: 'a', [IDENTITY_HEADERS.signature]: 'b' }));
  expect(res.headers.get('x-middleware-next')).toBe('1');
  expect(passed(res, IDENTITY_HEADERS.user)).toBeNull();
  expect(res.headers.get('x-middleware-override-headers')).not.toContain(IDENTITY_HEADERS.user);
});

test('a revoked session is sent to sign-in and both possible cookies are deleted', async () => {
  const { cookie, agent } = await sessionCookie();
  await agent.post(API_ROUTES.logout.path).expect(204);
  const value = cookie.split('=').slice(1).join('=');
  const res = await gate(request('/security', { cookie: `${cookie}; __Host-sid=${value}` }));
  expect(res.status).toBe(307);
  const cleared = res.headers.getSetCookie();
  expect(cleared.find((c) => c.startsWith('sid=;'))).toMatch(/Max-Age=0/i);
  // A __Host- cookie is only replaced by a Secure, Path=/ one.
  expect(cleared.find((c) => c.startsWith('__Host-sid=;'))).toMatch(/Path=\/.*Secure|Secure.*Path=\//i);
});

test('a user on /admin gets 403; an admin passes', async () => {
  const user = await sessionCookie('user');
  const forbidden = await gate(request('/admin', { cookie: user.cookie }));
  expect(forbidden.status).toBe(403);
  expect(await forbidden.text()).toContain('for administrators only');
  const admin = await sessionCookie('admin');
  const ok = await gate(request('/admin', { cookie: admin.cookie }));
  expect(ok.headers.get('x-middleware-next')).toBe('1');
});

describe('fail closed', () => {
  const withCookie = () => request('/dashboard', { cookie: 'sid=s%3Asomething.sig' });

  test('API not listening → 503 page', async () => {
    const dead = createServer();
    const url = await listenOn(dead);
    await closeServer(dead);
    const res = await gate(withCookie(), url);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('The service is unavailable');
  });

  test('API answering 500 → 503 page', async () => {
    const broken = createServer((_req, res) =>
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"internal_error","message":"x"}}'),
    );
    const url = await listenOn(broken);
    try {
      expect((await gate(withCookie(), url)).status).toBe(503);
    } finally {
      await closeServer(broken);
    }
  });

  test('API answering 200 outside the contract → 503 page', async () => {
    const odd = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"user":{"id":1}}'));
    const url = await listenOn(odd);
    try {
      expect((await gate(withCookie(), url)).status).toBe(503);
    } finally {
      await closeServer(odd);
    }
  });

  test('API never answering → 503 after the timeout, not a hang', async () => {
    const hung = createServer(() => undefined);
    const url = await listenOn(hung);
    try {
      const started = Date.now();
      const res = await gate(withCookie(), url, 300);
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await closeServer(hung);
    }
  });
});

test('only the session cookie goes to the API, over one kept-alive connection', async () => {
  const seen: IncomingHttpHeaders[] = [];
  let connections = 0;
  const recorder = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthenticated","message":"Sign in first"}}');
  });
  recorder.on('connection', () => connections++);
  const url = await listenOn(recorder);
  try {
    const cookie = 'theme=dark; sid=s%3Aabc.sig; tracking=1; __Host-sid=s%3Adef.sig; sid=s%3Atossed.sig';
    await gate(request('/dashboard', { cookie, authorization: 'Bearer x', 'x-forwarded-host': 'evil.test' }), url);
    for (let i = 0; i < 5; i++) await gate(request('/security', { cookie }), url);
    expect(seen).toHaveLength(6);
    expect(seen[0]!.cookie).toBe('sid=s%3Aabc.sig; __Host-sid=s%3Adef.sig; sid=s%3Atossed.sig');
    expect(seen[0]!.authorization).toBeUndefined();
    expect(seen[0]!['x-forwarded-host']).toBeUndefined();
    // Connections are reused (undici may open a second one while the first is being
    // handed back to its pool), not one per page view.
    expect(connections).toBeLessThanOrEqual(2);
  } finally {
    await closeServer(recorder);
  }
});

test('with PROXY_GATE=off the API is not asked and the benchmark user is vouched for', async () => {
  const res = await gatePage(request('/dashboard'), { apiInternalUrl: 'http://127.0.0.1:9', apiTimeoutMs: 100, gateOff: true }, key);
  const verified = verifyIdentity(key, passed(res, IDENTITY_HEADERS.user), passed(res, IDENTITY_HEADERS.signature), '/dashboard');
  expect(verified).toMatchObject({ ok: true, user: { email: 'benchmark@cloakroom.invalid', role: 'user' } });
  const admin = await gatePage(request('/admin'), { apiInternalUrl: 'http://127.0.0.1:9', apiTimeoutMs: 100, gateOff: true }, key);
  expect(admin.status).toBe(403);
});
