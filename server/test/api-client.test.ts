/**
 * The typed client of @cloakroom/shared against the real API (test kit, over HTTP): typed
 * answers, error codes in the contract's shape, Retry-After, path parameters and queries,
 * another origin through CORS, and the failures that are not the API's own words.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiClient } from '@cloakroom/shared';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';

const MOBILE = 'https://m.example.test';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ env: { CORS_ORIGINS: MOBILE, LOGIN_ACCOUNT_LIMIT: '3' } });
});
afterAll(() => kit.close());

/** Narrows a result to its success, with the failure in the message otherwise. */
function ok<R extends { ok: boolean }>(res: R): Extract<R, { ok: true }> {
  if (!res.ok) throw new Error(`expected success, got ${JSON.stringify(res)}`);
  return res as Extract<R, { ok: true }>;
}

test('sign up, who am I, my sessions, sign out: typed answers, and the cookie travels', async () => {
  const { api, fetch } = await kit.client();
  const registered = ok(await api.register({ body: { email: 'Typed@Example.test ', password: 'a long passphrase', name: 'Ty' } }));
  expect(registered.status).toBe(201);
  expect(registered.data.user).toMatchObject({ email: 'typed@example.test', name: 'Ty', role: 'user' });
  expect(fetch.cookies()).toMatch(/^sid=/);

  const me = ok(await api.me());
  expect(me.data.user.id).toBe(registered.data.user.id);
  const sessions = ok(await api.listSessions());
  expect(sessions.data.sessions).toEqual([expect.objectContaining({ id: me.data.session.id, current: true })]);

  expect(ok(await api.logout()).status).toBe(204);
  // The session cookie is gone; the device cookie stays (a known browser, across sign-outs).
  expect(fetch.cookies()).not.toMatch(/(^|; )sid=/);
  const after = await api.me();
  expect(after).toMatchObject({ ok: false, status: 401, error: { code: 'unauthenticated', status: 401 } });
});

test('errors come back with their code, status, details and Retry-After', async () => {
  const { api } = await kit.client();
  const invalid = await api.register({ body: { email: 'not an email', password: 'short' } });
  expect(invalid).toMatchObject({ ok: false, status: 400, error: { code: 'validation_failed' } });
  expect(!invalid.ok && invalid.error.details?.map((d) => d.path)).toEqual(['email', 'password']);

  const { email } = await kit.createUser({ password: 'the right passphrase' });
  const wrong = await api.login({ body: { email, password: 'a wrong one' } });
  expect(wrong).toMatchObject({ ok: false, status: 401, error: { code: 'invalid_credentials' } });
  for (let i = 0; i < 2; i++) await api.login({ body: { email, password: 'a wrong one' } });
  const limited = await api.login({ body: { email, password: 'a wrong one' } });
  expect(limited).toMatchObject({ ok: false, status: 429, error: { code: 'too_many_attempts', retryAfterSeconds: expect.any(Number) } });
  expect(!limited.ok && limited.error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
});

test('path parameters are encoded (a slash cannot reach another route) and queries are sent', async () => {
  const admin = await kit.createUser({ role: 'admin', password: 'an admin passphrase' });
  const { api } = await kit.client();
  ok(await api.login({ body: { email: admin.email, password: admin.password } }));
  const gone = await api.revokeSession({ params: { id: '../users/x' } });
  expect(gone).toMatchObject({ ok: false, status: 404, error: { code: 'not_found', message: 'That session was not found' } });

  for (let i = 0; i < 3; i++) await kit.createUser({ email: `page-${i}@typed.test` });
  const first = ok(await api.listUsers({ query: { limit: 2, email: 'page-' } }));
  expect(first.data.users.map((u) => u.email)).toEqual(['page-0@typed.test', 'page-1@typed.test']);
  const second = ok(await api.listUsers({ query: { limit: 2, email: 'page-', cursor: first.data.nextCursor! } }));
  expect(second.data).toMatchObject({ users: [{ email: 'page-2@typed.test' }], nextCursor: null });
  const target = first.data.users[0]!;
  const promoted = ok(await api.changeUserRole({ params: { id: target.id }, body: { role: 'admin' } }));
  expect(promoted.data.user.role).toBe('admin');
});

test('from another origin: allowed by CORS it works with its cookie; from an origin not allowed, writes are refused', async () => {
  const { email, password } = await kit.createUser();
  const mobile = (await kit.client({ origin: MOBILE })).api;
  ok(await mobile.login({ body: { email, password } }));
  ok(await mobile.me());
  const evil = (await kit.client({ origin: 'https://evil.example.test' })).api;
  expect(await evil.login({ body: { email, password } })).toMatchObject({ ok: false, status: 403, error: { code: 'csrf_rejected' } });
});

describe('failures that are not the API speaking', () => {
  const listen = (handler: http.RequestListener) =>
    new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
      const server = http
        .createServer(handler)
        .listen(0, '127.0.0.1', () =>
          resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) }),
        );
    });

  test('nothing listening: status 0, service_unavailable, never a throw', async () => {
    const { url, close } = await listen(() => undefined);
    await close();
    const res = await createApiClient({ baseUrl: url }).me();
    expect(res).toMatchObject({ ok: false, status: 0, error: { code: 'service_unavailable', status: 0 } });
  });

  test("a proxy's error page and a 200 outside the contract are reported, not passed on as data", async () => {
    const { url, close } = await listen((req, res) => {
      if (req.url === '/api/me') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"user":{"id":1}}');
      res.writeHead(502, { 'content-type': 'text/html', 'retry-after': '7' }).end('<h1>Bad gateway</h1>');
    });
    try {
      const api = createApiClient({ baseUrl: url });
      expect(await api.me()).toMatchObject({ ok: false, status: 200, error: { code: 'internal_error' } });
      expect(await api.listSessions()).toMatchObject({ ok: false, status: 502, error: { code: 'service_unavailable', retryAfterSeconds: 7 } });
    } finally {
      await close();
    }
  });
});
