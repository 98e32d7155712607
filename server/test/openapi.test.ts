/**
 * The API's description of itself: GET /api/openapi.json names exactly the routes the
 * server mounts, lints clean, and says what a client must know (the session cookie under
 * both names, the error shape, Retry-After); the route table cannot lose a handler; other
 * methods answer 405; /api/docs is served with a policy of its own.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import express, { type Express } from 'express';
import { API_ROUTES, ROUTE_IDS, SESSION_COOKIE_NAMES, openApiPath, routePath, type RouteId } from '@cloakroom/shared';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { createApp } from '../src/app';
import { sessionCookie } from '../src/http/session-cookie';
import { sessionMiddleware } from '../src/http/middleware/session';
import { mountRoutes, RouteTableError, type RouteHandlers } from '../src/http/routes/mount';
import { ROOT } from './helpers/processes';

// The document is walked by hand, as a client would read it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

let kit: TestApp;
let doc: Json;
beforeAll(async () => {
  kit = await createTestApp();
  doc = (
    await kit
      .agent()
      .get(API_ROUTES.openApiDocument.path)
      .expect(200)
      .expect('content-type', /^application\/json/)
  ).body;
});
afterAll(() => kit.close());

/** Every method and path Express routes, read from its own router stack. */
function mountedRoutes(app: Express): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> } };
  return (app as unknown as { router: { stack: Layer[] } }).router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${layer.route!.path}`)
      : [],
  );
}

const documented = (d: Json) =>
  Object.entries(d.paths as Record<string, Json>).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));

test('the document describes every route the server mounts, and nothing else', () => {
  const mounted = mountedRoutes(createApp(kit.infra).express);
  expect(mounted.length).toBe(ROUTE_IDS.length);
  expect([...documented(doc)].sort()).toEqual([...mounted].sort());
  expect(Object.values(doc.paths as Record<string, Json>).flatMap((item) => Object.values(item).map((op: Json) => op.operationId as string))).toEqual(
    expect.arrayContaining(ROUTE_IDS),
  );
});

test("the document lints clean with Redocly's recommended rules", async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-openapi-')), 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  try {
    const { stdout } = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', '--format=json', file], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number } };
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('it says what a client must know: OpenAPI 3.1, the session cookie under both names, errors per status with their codes, Retry-After', () => {
  expect(doc.openapi).toBe('3.1.0');
  const schemes = Object.values(doc.components.securitySchemes as Record<string, Json>);
  expect(schemes.map((s) => [s.type, s.in, s.name]).sort()).toEqual(SESSION_COOKIE_NAMES.map((name) => ['apiKey', 'cookie', name]).sort());
  const op = (id: RouteId) => doc.paths[openApiPath(API_ROUTES[id].path)][API_ROUTES[id].method] as Json;
  expect(op('me').security).toEqual([{ sessionCookie: [] }, { sessionCookieHttp: [] }]);
  expect(op('login').security).toEqual([]);
  expect(Object.keys(op('login').responses)).toEqual(['200', '400', '401', '403', '413', '415', '429', '503']);
  const response = (ref: Json) => doc.components.responses[(ref.$ref as string).split('/').pop()!] as Json;
  const tooMany = response(op('login').responses['429']);
  expect(tooMany.headers['Retry-After']).toMatchObject({ required: true });
  const unauthorized = response(op('changePassword').responses['401']);
  expect(unauthorized.content['application/json'].schema.properties.error.properties.code.enum).toEqual(['invalid_credentials', 'unauthenticated']);
  expect(doc.info.description).toMatch(/CSRF/);
  expect(doc.info.description).toMatch(/CORS_ORIGINS/);
});

describe('the route table and the handlers', () => {
  const session = () =>
    sessionMiddleware({
      store: kit.services.store,
      cookie: sessionCookie(kit.config),
      secrets: kit.config.session.secrets,
      limits: kit.services.limits,
      authenticate: kit.services.authenticate,
      readSession: kit.services.readSession,
    });
  const policy = { reauthWindowMs: 600_000, mustSetUpSecondFactor: () => Promise.resolve(false) };
  const everyHandler = () => Object.fromEntries(ROUTE_IDS.map((id) => [id, { handle: () => undefined }])) as unknown as RouteHandlers;

  test('every declared route is mounted from one handler each', () => {
    expect(mountRoutes(express(), everyHandler(), session(), policy)).toHaveLength(ROUTE_IDS.length);
  });

  test('a route declared without a handler, or a handler for no declared route, stops the start', () => {
    const { listSessions: _gone, ...withoutOne } = everyHandler();
    expect(() => mountRoutes(express(), withoutOne as RouteHandlers, session(), policy)).toThrow(
      new RouteTableError('declared without a handler: listSessions'),
    );
    const withExtra = { ...everyHandler(), exportEverything: { handle: () => undefined } };
    expect(() => mountRoutes(express(), withExtra, session(), policy)).toThrow(new RouteTableError('handled but not declared: exportEverything'));
  });

  test('only a signed-in route can need recent authentication: declaring it on another stops the start', () => {
    const route = API_ROUTES.login as { recentAuth?: boolean };
    route.recentAuth = true;
    try {
      expect(() => mountRoutes(express(), everyHandler(), session(), policy)).toThrow(
        /login needs recent authentication, which only a signed-in route can check/,
      );
    } finally {
      delete route.recentAuth;
    }
  });
});

test('any other method on a declared path answers 405 with Allow naming the declared ones (and HEAD where GET is)', async () => {
  const byPath = new Map<string, string[]>();
  for (const id of ROUTE_IDS) byPath.set(API_ROUTES[id].path, [...(byPath.get(API_ROUTES[id].path) ?? []), API_ROUTES[id].method.toUpperCase()]);
  for (const [template, methods] of byPath) {
    const concrete = template.replace(/:\w+/g, 'x');
    const other = ['PUT', 'PATCH', 'POST', 'DELETE'].find((m) => !methods.includes(m))!;
    const res = await kit.agent()[other.toLowerCase() as 'put'](concrete).expect(405);
    expect(res.body.error.code).toBe('method_not_allowed');
    expect(res.headers.allow!.split(', ').sort()).toEqual([...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].sort());
  }
});

describe('GET /api/docs', () => {
  test('an HTML page with a policy of its own: scripts from this origin and its one inline script by hash, requests to this origin only', async () => {
    const res = await kit
      .agent()
      .get(routePath('apiReference'))
      .expect(200)
      .expect('content-type', /^text\/html/);
    const csp = res.headers['content-security-policy']!;
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    const inline = [...res.text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline).toHaveLength(1);
    const hash = `'sha256-${createHash('sha256').update(inline[0]!).digest('base64')}'`;
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': `'self' ${hash}`,
      'style-src': "'self' 'unsafe-inline'",
      'img-src': "'self' data:",
      'font-src': "'self' data:",
      'connect-src': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
    });
    expect(res.text).toContain(`<script src="${API_ROUTES.apiReferenceScript.path}"></script>`);
    expect(inline[0]).toContain(JSON.stringify(API_ROUTES.openApiDocument.path));
    expect(res.text).not.toMatch(/https?:\/\//);
  });

  test("its script is Scalar's bundle, from the API itself, gzipped when asked, cached for an hour", async () => {
    const plain = await kit
      .agent()
      .get(routePath('apiReferenceScript'))
      .set('Accept-Encoding', 'identity')
      .expect(200)
      .expect('content-type', /^text\/javascript/);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=3600');
    const gzipped = await kit.agent().get(routePath('apiReferenceScript')).set('Accept-Encoding', 'gzip, br').expect(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toMatch(/Accept-Encoding/);
    // supertest inflates it: the same script either way.
    expect(gzipped.text).toBe(plain.text);
    expect(plain.text).toMatch(/@scalar\/api-reference/);
  });

  test("every other answer keeps the API's own policy", async () => {
    for (const id of ['me', 'openApiDocument', 'health'] as const) {
      const res = await kit.agent().get(routePath(id));
      expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    }
  });
});
