/** The route table's own rules, and the names derived from it. */
import { ERROR_CODES, ERROR_STATUS } from '../errors';
import { PAGES, signInUrl, withNext } from '../pages';
import { openApiPath, routePath } from './paths';
import { errorCodesOf, implicitErrors, pathParamNames, STATE_CHANGING_METHODS, type RouteSpec } from './route';
import { API_ROUTES, ROUTE_IDS } from './routes';

const routes = Object.entries(API_ROUTES) as Array<[string, RouteSpec]>;

test('each method and path is declared once, every path under /api but the probes', () => {
  const keys = routes.map(([, r]) => `${r.method} ${r.path}`);
  expect(new Set(keys).size).toBe(keys.length);
  for (const [id, r] of routes) expect([id, r.path.startsWith('/api/') || ['/healthz', '/readyz'].includes(r.path)]).toEqual([id, true]);
  expect(ROUTE_IDS).toEqual(Object.keys(API_ROUTES));
});

test('a GET never changes state; every other method does', () => {
  for (const [id, r] of routes) expect([id, r.changesState]).toEqual([id, r.method !== 'get']);
});

test('every path parameter is described, and nothing else is', () => {
  for (const [id, r] of routes) expect([id, Object.keys(r.params ?? {}).sort()]).toEqual([id, pathParamNames(r.path).sort()]);
});

test('a GET takes no body; success statuses are 2xx; a 204 has no body; declared codes are real', () => {
  for (const [id, r] of routes) {
    if (r.method === 'get') expect([id, r.body]).toEqual([id, undefined]);
    for (const [status, spec] of Object.entries(r.responses)) {
      expect([id, Number(status)]).toEqual([id, expect.any(Number)]);
      expect(Number(status)).toBeGreaterThanOrEqual(200);
      expect(Number(status)).toBeLessThan(300);
      if (status === '204') expect([id, spec?.body, spec?.mediaType]).toEqual([id, undefined, undefined]);
    }
    for (const code of r.errors) expect(ERROR_CODES).toContain(code);
  }
});

test('what every route of a kind can answer: body errors always, CSRF on writes, 401/403 by access and step-up, 503 where Redis or the database is asked', () => {
  expect(implicitErrors(API_ROUTES.health)).toEqual(['validation_failed', 'payload_too_large', 'unsupported_media_type']);
  expect(implicitErrors(API_ROUTES.login)).toEqual([
    'validation_failed',
    'payload_too_large',
    'unsupported_media_type',
    'csrf_rejected',
    'service_unavailable',
  ]);
  expect(implicitErrors(API_ROUTES.me)).toEqual(['validation_failed', 'payload_too_large', 'unsupported_media_type', 'unauthenticated', 'service_unavailable']);
  expect(implicitErrors(API_ROUTES.changeUserRole)).toEqual([
    'validation_failed',
    'payload_too_large',
    'unsupported_media_type',
    'csrf_rejected',
    'unauthenticated',
    'forbidden',
    // A signed-in route that is not one of the second-factor setup ones, and a sensitive one (step-up).
    'second_factor_setup_required',
    'reauth_required',
    'service_unavailable',
  ]);
  // Each code once, in the order of errors.ts, whatever the declaration repeats.
  expect(errorCodesOf({ ...API_ROUTES.login, errors: ['too_many_attempts', 'validation_failed'] }, ERROR_CODES)).toEqual([
    'validation_failed',
    'csrf_rejected',
    'payload_too_large',
    'unsupported_media_type',
    'too_many_attempts',
    'service_unavailable',
  ]);
  for (const [, r] of routes) for (const code of errorCodesOf(r, ERROR_CODES)) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
  expect(STATE_CHANGING_METHODS).toEqual(['post', 'put', 'patch', 'delete']);
});

test('concrete paths: parameters percent-encoded, a missing one refused', () => {
  expect(routePath('me')).toBe('/api/me');
  expect(routePath('revokeSession', { id: 'a/b?c' })).toBe('/api/auth/sessions/a%2Fb%3Fc');
  expect(routePath('revokeUserSessions', { id: 'u-1' })).toBe('/api/admin/users/u-1/sessions');
  expect(() => (routePath as (id: string, p?: object) => string)('revokeSession', {})).toThrow(/"id" is missing/);
  expect(openApiPath('/api/admin/users/:id/sessions')).toBe('/api/admin/users/{id}/sessions');
});

test('the sign-in URL comes back to where the visitor was, and is the page alone otherwise', () => {
  expect(signInUrl('/security?tab=1')).toBe('/login?next=%2Fsecurity%3Ftab%3D1');
  expect(signInUrl(null)).toBe(PAGES.login);
  expect(signInUrl()).toBe('/login');
  expect(withNext(PAGES.register, '/admin')).toBe('/register?next=%2Fadmin');
});
