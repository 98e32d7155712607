import { IDENTITY_HEADERS } from '@cloakroom/shared';
import { deriveIdentityKey, signIdentity, type Identity } from '../lib/identity-token';
import { apiSignIn, PASSWORD, uniqueEmail } from './helpers';
import { startStack, type Stack } from './stack';

/** Requests sent straight to the client's pages, as an attacker would, no browser. */
let stack: Stack;
let victim: { email: string; identity: Identity };

beforeAll(async () => {
  stack = await startStack();
  const email = uniqueEmail('victim');
  await stack.createUser(email, PASSWORD, 'admin');
  victim = {
    email,
    identity: {
      id: '11111111-1111-4111-8111-111111111111',
      email,
      name: null,
      role: 'admin',
      emailVerified: true,
      sessionId: 'x'.repeat(43),
      expiresAt: new Date(Date.now() + 3600e3).toISOString(),
      idleExpiresAt: new Date(Date.now() + 3600e3).toISOString(),
    },
  };
});
afterAll(() => stack?.close());

const page = (path: string, headers: Record<string, string> = {}) => fetch(`${stack.origin}${path}`, { redirect: 'manual', headers });

/** Headers claiming to be the victim: signed with the client's real key (the worst
 *  case: a leaked key or a captured pair), with a wrong key, and unsigned. */
function forgeries(path: string): Array<[string, Record<string, string>]> {
  const real = signIdentity(deriveIdentityKey(stack.identitySecret), victim.identity, path);
  const wrong = signIdentity(deriveIdentityKey('not the secret at all, but long enough'), victim.identity, path);
  return [
    ['correctly signed', real],
    ['signed with another key', wrong],
    ['unsigned', { [IDENTITY_HEADERS.user]: real[IDENTITY_HEADERS.user] }],
    ['upper-case names', { 'X-Cloakroom-User': real[IDENTITY_HEADERS.user], 'X-Cloakroom-Signature': real[IDENTITY_HEADERS.signature] }],
    ['seed-style x-user-id', { 'x-user-id': victim.identity.id, 'x-user-role': 'admin', 'x-user-email': victim.email }],
  ];
}

const BYPASS_HEADERS: Array<[string, Record<string, string>]> = [
  ['plain', {}],
  ['x-middleware-subrequest (proxy)', { 'x-middleware-subrequest': 'proxy:proxy:proxy:proxy:proxy' }],
  ['x-middleware-subrequest (middleware)', { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' }],
  ['RSC', { rsc: '1' }],
  ['prefetch', { rsc: '1', 'next-router-prefetch': '1' }],
  ['segment prefetch', { rsc: '1', 'next-router-prefetch': '1', 'next-router-segment-prefetch': '/_tree' }],
  ['x-nextjs-data', { 'x-nextjs-data': '1' }],
];

describe('a forged identity sent straight to a page is ignored', () => {
  for (const path of ['/dashboard', '/security', '/admin']) {
    for (const [via, bypass] of BYPASS_HEADERS) {
      test(`${path}, no cookie, ${via}: every forgery is sent to sign-in and shows nothing of the victim`, async () => {
        for (const [kind, forged] of forgeries(path)) {
          const res = await page(path, { ...bypass, ...forged });
          const body = await res.text();
          expect({ kind, status: res.status, location: res.headers.get('location') }).toEqual({
            kind,
            status: 307,
            location: `/login?next=${encodeURIComponent(path)}`,
          });
          expect(body).not.toContain(victim.email);
        }
      });
    }
  }

  test('signed in as someone else, forged headers for the victim still show only the caller', async () => {
    const email = uniqueEmail('caller');
    await stack.createUser(email, PASSWORD);
    const cookie = await apiSignIn(stack.origin, email, PASSWORD);
    for (const [kind, forged] of forgeries('/dashboard')) {
      const res = await page('/dashboard', { cookie, ...forged, 'x-middleware-subrequest': 'proxy:proxy:proxy:proxy:proxy' });
      const body = await res.text();
      expect({ kind, status: res.status }).toEqual({ kind, status: 200 });
      expect(body).toContain(email);
      expect(body).not.toContain(victim.email);
      // The identity goes to the page, never back to the browser (the seed's flaw).
      expect([...res.headers.keys()].filter((k) => k.startsWith('x-cloakroom-') || k.startsWith('x-middleware-'))).toEqual([]);
    }
    // And the forged admin claim does not open /admin for a user.
    const admin = await page('/admin', { cookie, ...forgeries('/admin')[0]![1] });
    expect(admin.status).toBe(403);
    expect(await admin.text()).not.toContain(victim.email);
  });

  test('a random session cookie is checked by the API, not trusted for being there', async () => {
    const res = await page('/dashboard', { cookie: 'sid=s%3Aforged.signature' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard');
    // The stale cookie is deleted.
    expect(res.headers.getSetCookie().some((c) => /^sid=;/.test(c) && /Max-Age=0/i.test(c))).toBe(true);
  });
});

describe('security headers', () => {
  test('every page has a nonce CSP that its own scripts carry, nosniff, a referrer policy, no-store when signed in', async () => {
    const email = uniqueEmail('headers');
    await stack.createUser(email, PASSWORD);
    const cookie = await apiSignIn(stack.origin, email, PASSWORD);
    for (const [path, headers] of [
      ['/', {}],
      ['/login', {}],
      ['/dashboard', { cookie }],
      ['/security', { cookie }],
    ] as const) {
      const res = await page(path, headers);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      const csp = res.headers.get('content-security-policy') ?? '';
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('strict-transport-security')).toBeNull();
      const html = await res.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      if ('cookie' in headers) expect(res.headers.get('cache-control')).toContain('no-store');
    }
    // A fresh nonce for every response.
    const [a, b] = await Promise.all([page('/'), page('/')]);
    expect(a.headers.get('content-security-policy')).not.toBe(b.headers.get('content-security-policy'));
  });

  test('a browser claiming https over plain http gets no HSTS and no upgrade', async () => {
    const res = await page('/login', { 'x-forwarded-proto': 'https' });
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });
});

test('the API sees the real client address, not one the browser made up', async () => {
  const email = uniqueEmail('address');
  await stack.createUser(email, PASSWORD);
  const res = await fetch(`${stack.origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: stack.origin, 'x-forwarded-for': '203.0.113.66', 'user-agent': 'e2e-address-check' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  const sessions = await fetch(`${stack.origin}/api/auth/sessions`, { headers: { cookie } });
  const body = (await sessions.json()) as { sessions: Array<{ ip: string | null; userAgent: string | null }> };
  expect(body.sessions).toHaveLength(1);
  expect(body.sessions[0]).toMatchObject({ ip: '127.0.0.1', userAgent: 'e2e-address-check' });
});
