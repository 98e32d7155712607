/** The session cookie's name and attributes in each mode, and logout clearing it with
 *  the same ones. */
import { DEVICE_COOKIE_SECURE, SESSION_COOKIE_PLAIN, SESSION_COOKIE_SECURE } from '@cloakroom/shared';
import { loadConfig } from '../src/config/env';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { expectCleared, setCookie, setCookies } from './helpers/cookies';

async function signedIn(kit: TestApp, headers: Record<string, string> = {}) {
  const { email, password } = await kit.createUser();
  const agent = kit.agent();
  const res = await agent.post('/api/auth/login').set(headers).send({ email, password }).expect(200);
  return { agent, res };
}

describe('default (development, plain HTTP)', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp();
  });
  afterAll(() => kit.close());

  test('sid: HttpOnly, SameSite=Lax, Path=/, no Domain, not Secure, lasting the absolute lifetime', async () => {
    const { res } = await signedIn(kit);
    const cookie = setCookie(res, SESSION_COOKIE_PLAIN);
    expect(cookie.attributes).toEqual({
      path: '/',
      expires: expect.any(String),
      httponly: true,
      samesite: 'Lax',
    });
    const expires = Date.parse(cookie.attributes.expires as string);
    // Expires has a resolution of one second.
    expect(Math.abs(expires - (Date.now() + kit.config.session.absoluteTimeoutMs))).toBeLessThan(5_000);
  });

  test('logout clears it with the same attributes', async () => {
    const { agent, res } = await signedIn(kit);
    const out = await agent.post('/api/auth/logout').expect(204);
    expectCleared(setCookie(out, SESSION_COOKIE_PLAIN), setCookie(res, SESSION_COOKIE_PLAIN));
  });

  test('reads do not re-send the cookie', async () => {
    const { agent } = await signedIn(kit);
    expect(setCookies(await agent.get('/api/me').expect(200))).toEqual([]);
  });
});

test.each([
  ['strict', 'Strict'],
  ['lax', 'Lax'],
])('COOKIE_SAMESITE=%s gives SameSite=%s', async (value, attribute) => {
  const kit = await createTestApp({ env: { COOKIE_SAMESITE: value } });
  try {
    const { res } = await signedIn(kit);
    expect(setCookie(res, SESSION_COOKIE_PLAIN).attributes.samesite).toBe(attribute);
  } finally {
    await kit.close();
  }
});

describe('COOKIE_SECURE=true behind a TLS-terminating proxy (TRUST_PROXY=loopback)', () => {
  let kit: TestApp;
  const https = { 'X-Forwarded-Proto': 'https' };
  beforeAll(async () => {
    kit = await createTestApp({ env: { COOKIE_SECURE: 'true', TRUST_PROXY: 'loopback', COOKIE_SAMESITE: 'none' } });
  });
  afterAll(() => kit.close());

  test('__Host-sid: Secure, HttpOnly, Path=/, no Domain, and the configured SameSite', async () => {
    const { res } = await signedIn(kit, https);
    // The session cookie first; then the device cookie (issue 8.5), just as locked down.
    expect(setCookies(res).map((c) => c.name)).toEqual([SESSION_COOKIE_SECURE, DEVICE_COOKIE_SECURE]);
    const cookie = setCookie(res, SESSION_COOKIE_SECURE);
    expect(cookie.attributes).toEqual({ path: '/', expires: expect.any(String), httponly: true, secure: true, samesite: 'None' });
    expect(setCookie(res, DEVICE_COOKIE_SECURE).attributes).toEqual({
      path: '/',
      expires: expect.any(String),
      'max-age': String(180 * 86_400),
      httponly: true,
      secure: true,
      samesite: 'None',
    });
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  test('the __Host-sid cookie signs in; a plain sid cookie with the same value does not', async () => {
    const { res } = await signedIn(kit, https);
    const cookie = setCookie(res, SESSION_COOKIE_SECURE);
    await kit.agent().get('/api/me').set(https).set('Cookie', cookie.pair).expect(200);
    await kit
      .agent()
      .get('/api/me')
      .set(https)
      .set('Cookie', `${SESSION_COOKIE_PLAIN}=${encodeURIComponent(cookie.value)}`)
      .expect(401);
  });

  test('logout clears __Host-sid with the same attributes', async () => {
    const { res } = await signedIn(kit, https);
    const cookie = setCookie(res, SESSION_COOKIE_SECURE);
    const out = await kit.agent().post('/api/auth/logout').set(https).set('Cookie', cookie.pair).expect(204);
    expectCleared(setCookie(out, SESSION_COOKIE_SECURE), cookie);
  });

  test('over plain HTTP the Secure cookie is never sent', async () => {
    const { res } = await signedIn(kit);
    expect(setCookies(res)).toEqual([]);
  });
});

test('without TRUST_PROXY a client cannot claim HTTPS: no Secure cookie over plain HTTP', async () => {
  const kit = await createTestApp({ env: { COOKIE_SECURE: 'true' } });
  try {
    const { res } = await signedIn(kit, { 'X-Forwarded-Proto': 'https' });
    expect(setCookies(res)).toEqual([]);
  } finally {
    await kit.close();
  }
});

test('every sign-in answered over plain HTTP with COOKIE_SECURE=true says in its own log line why no cookie was set', async () => {
  const kit = await createTestApp({ env: { COOKIE_SECURE: 'true' }, captureLogs: true });
  try {
    const first = await signedIn(kit);
    const second = await signedIn(kit);
    const reg = await kit
      .agent()
      .post('/api/auth/register')
      .send({ email: `plain-${Date.now()}@example.test`, password: 'a long enough passphrase' })
      .expect(201);
    const lines = kit
      .logs()
      .split('\n')
      .filter((line) => line.includes('no session cookie'))
      .map((line) => JSON.parse(line) as { reqId: string; msg: string });
    expect(lines.map((l) => l.reqId)).toEqual([first.res, second.res, reg].map((r) => r.headers['x-request-id']));
    expect(lines[0]!.msg).toMatch(/COOKIE_SECURE=true/);
    expect(lines[0]!.msg).toMatch(/TRUST_PROXY/);
  } finally {
    await kit.close();
  }
});

test('COOKIE_SECURE=true with no way for a request to be secure (the API serves plain HTTP, no TRUST_PROXY): a warning at start', () => {
  expect(loadConfig({ COOKIE_SECURE: 'true' }).warnings.join('\n')).toMatch(/COOKIE_SECURE=true.*TRUST_PROXY/);
  expect(loadConfig({ COOKIE_SECURE: 'true', TRUST_PROXY: 'loopback' }).warnings.join('\n')).not.toMatch(/COOKIE_SECURE/);
  expect(loadConfig({}).warnings.join('\n')).not.toMatch(/COOKIE_SECURE/);
});
