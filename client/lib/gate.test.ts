import type { MeResponse } from '@cloakroom/shared';
import { decide, loginRedirect, needsApi, type GateRequest } from './gate';
import type { MeResult } from './me-client';

const me = (role: 'user' | 'admin'): MeResult => ({
  kind: 'signed_in',
  me: {
    user: { id: 'u1', email: 'ann@example.test', name: null, role, createdAt: '2030-01-01T00:00:00.000Z', emailVerified: true },
    session: {
      id: 'h'.repeat(43),
      createdAt: '2030-01-01T00:00:00.000Z',
      expiresAt: '2030-01-08T00:00:00.000Z',
      idleExpiresAt: '2030-01-02T00:00:00.000Z',
      authTime: '2030-01-01T00:00:00.000Z',
      authMethods: ['password'],
    },
  } satisfies MeResponse,
});
const SIGNED_OUT: MeResult = { kind: 'signed_out' };
const DOWN: MeResult = { kind: 'unavailable', reason: 'API unreachable' };
const req = (pathname: string, search = '', sessionCookies = ['sid']): GateRequest => ({ pathname, search, sessionCookies });

describe('which requests cost an /api/me call', () => {
  test('none without a session cookie, none for the landing page', () => {
    expect(needsApi(req('/dashboard', '', []))).toBe(false);
    expect(needsApi(req('/', ''))).toBe(false);
  });
  test('signed-in pages and the sign-in pages, when a cookie is there', () => {
    for (const p of ['/dashboard', '/security', '/admin', '/admin/x', '/anything', '/login', '/register']) expect(needsApi(req(p))).toBe(true);
  });
});

describe('the gate', () => {
  test('public pages pass without a user, whatever the API says (it may be down)', () => {
    for (const m of [null, SIGNED_OUT, DOWN]) expect(decide(req('/', '', []), m)).toMatchObject({ kind: 'pass', user: null });
    expect(decide(req('/login'), DOWN)).toMatchObject({ kind: 'pass', user: null });
  });

  test('a cookie /api/me refuses is kept on a public page (it may be a pending two-step sign-in), deleted on a signed-in one', () => {
    expect(decide(req('/login', '', ['sid', '__Host-sid']), SIGNED_OUT)).toEqual({ kind: 'pass', user: null, clearCookies: [] });
    expect(decide(req('/register', '', ['sid']), SIGNED_OUT)).toEqual({ kind: 'pass', user: null, clearCookies: [] });
    expect(decide(req('/security', '', ['sid']), SIGNED_OUT)).toMatchObject({ kind: 'redirect', clearCookies: ['sid'] });
  });

  test('signed in on /login or /register: to a valid next, else the dashboard', () => {
    expect(decide(req('/login', '?next=%2Fsecurity%3Fa%3D1'), me('user'))).toEqual({ kind: 'redirect', location: '/security?a=1', clearCookies: [] });
    expect(decide(req('/register', '?next=%2F%2Fevil.test'), me('user'))).toEqual({ kind: 'redirect', location: '/dashboard', clearCookies: [] });
    expect(decide(req('/LOGIN'), me('user'))).toMatchObject({ kind: 'redirect', location: '/dashboard' });
  });

  test('no cookie on a signed-in page: to sign-in with the path and query to come back to', () => {
    expect(decide(req('/security', '?tab=1', []), null)).toEqual({ kind: 'redirect', location: '/login?next=%2Fsecurity%3Ftab%3D1', clearCookies: [] });
  });

  test('an expired or revoked session: to sign-in, and the cookie is deleted', () => {
    expect(decide(req('/dashboard'), SIGNED_OUT)).toEqual({ kind: 'redirect', location: '/login?next=%2Fdashboard', clearCookies: ['sid'] });
  });

  test('API down, slow or broken: fail closed, never the page', () => {
    for (const p of ['/dashboard', '/admin']) expect(decide(req(p), DOWN)).toEqual({ kind: 'unavailable', reason: 'API unreachable' });
  });

  test('/admin and below need role admin: a signed-in user gets 403, not a redirect', () => {
    for (const p of ['/admin', '/admin/users', '/Admin', '/%61dmin']) {
      expect(decide(req(p), me('user'))).toEqual({ kind: 'forbidden' });
      expect(decide(req(p), me('admin'))).toMatchObject({ kind: 'pass', user: { role: 'admin' } });
    }
  });

  test('a signed-in user passes with the identity pages need', () => {
    expect(decide(req('/dashboard'), me('user'))).toEqual({
      kind: 'pass',
      clearCookies: [],
      user: {
        id: 'u1',
        email: 'ann@example.test',
        name: null,
        role: 'user',
        emailVerified: true,
        sessionId: 'h'.repeat(43),
        expiresAt: '2030-01-08T00:00:00.000Z',
        idleExpiresAt: '2030-01-02T00:00:00.000Z',
      },
    });
  });

  test("the way back to a page leaves out Next's own _rsc parameter", () => {
    expect(loginRedirect('/dashboard', '?_rsc=abc&x=1')).toBe('/login?next=%2Fdashboard%3Fx%3D1');
    expect(loginRedirect('/dashboard', '?_rsc=abc')).toBe('/login?next=%2Fdashboard');
  });
});
