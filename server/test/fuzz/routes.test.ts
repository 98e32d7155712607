/**
 * Fuzzing every operation of the API's OpenAPI document (as GET /api/openapi.json serves
 * it, so new routes are covered without touching this file) with random and adversarial
 * requests: methods, paths and path parameters, query strings (the documented names and
 * others), content types and encodings, bodies (generated from the documented request
 * schema, the documented fields with hostile values, random JSON, broken JSON, bytes,
 * overlong strings, deep nesting, prototype keys), cookies (none, valid, forged,
 * duplicated, huge), and other headers. Properties, for every request:
 *   - never a 5xx, and the process never crashes (no uncaught error or rejection);
 *   - no undocumented answer: the kit checks each against the document (a documented
 *     status for the operation, a body matching its schema, so errors in the contract's
 *     shape with a code the document lists; 404/405 with Allow off the operations);
 *   - a rejected request (4xx) creates no user and no session.
 * fast-check runs with a fixed seed; on a failure it prints the seed, the path and the
 * shrunk counterexample; `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx jest server/test/fuzz` replays it
 * (FUZZ_RUNS sets the number of cases).
 */
import http from 'node:http';
import fc from 'fast-check';
import { API_ROUTES, errorBodySchema } from '@cloakroom/shared';
import { createTestApp, listenOn, takeContractViolations, type TestApp } from '@cloakroom/server/testing';
import { answerClientErrors } from '../../src/http/client-errors';
import { startRedisServer, type RedisServer } from '../faults/helpers/redis-server';
import { arbitraryFor } from './from-schema';

jest.setTimeout(300_000);

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);

type Json = Record<string, unknown>;

/** One operation of the document, with what the fuzzer needs to aim at it. */
interface Operation {
  method: string;
  /** OpenAPI's template, `/api/auth/sessions/{id}`. */
  path: string;
  /** Documented request body and query parameters, if any. */
  body?: Json;
  query: string[];
}

let document: Json;
const resolve = (ref: string): unknown =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')], document);

/** Every operation the served document lists. */
function operationsOf(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item) as Array<[string, Json]>) {
      const body = (op.requestBody as { content?: Record<string, { schema: Json }> } | undefined)?.content?.['application/json']?.schema;
      const query = ((op.parameters ?? []) as Array<{ in: string; name: string }>).filter((p) => p.in === 'query').map((p) => p.name);
      out.push({ method: method.toUpperCase(), path, ...(body ? { body } : {}), query });
    }
  }
  return out;
}

/** The property names of a request body schema (following $ref). */
const fieldsOf = (schema: unknown): string[] => {
  const s = schema as { $ref?: string; properties?: Json } | undefined;
  if (s?.$ref) return fieldsOf(resolve(s.$ref));
  return Object.keys(s?.properties ?? {});
};

const unexpected: unknown[] = [];
const onUnexpected = (err: unknown) => unexpected.push(err);

let redis: RedisServer;
let kit: TestApp;
let server: http.Server;
let port: number;
let routes: Operation[];
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let user: { email: string; password: string; id: string };
let admin: { email: string; password: string };

beforeAll(async () => {
  process.on('unhandledRejection', onUnexpected);
  process.on('uncaughtException', onUnexpected);
  // A Redis of its own: counting what a request created scans this app's keys only, and
  // nothing another suite does in the shared Redis can slow it down.
  redis = await startRedisServer();
  kit = await createTestApp({ env: { REDIS_URL: redis.url } });
  server = http.createServer(kit.handler);
  answerClientErrors(server);
  port = Number(new URL(await listenOn(server)).port);
  document = (await fetch(`http://127.0.0.1:${port}${API_ROUTES.openApiDocument.path}`).then((r) => r.json())) as Json;
  routes = operationsOf(document);
  takeContractViolations();
  const u = await kit.createUser({ password: 'fuzz user passphrase' });
  user = { email: u.email, password: u.password, id: u.user.id };
  const a = await kit.createUser({ role: 'admin', password: 'fuzz admin passphrase' });
  admin = { email: a.email, password: a.password };
});

afterAll(async () => {
  agent.destroy();
  await new Promise((resolve) => server?.close(resolve));
  await kit?.close();
  await redis?.stop();
  process.off('unhandledRejection', onUnexpected);
  process.off('uncaughtException', onUnexpected);
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Signed-in cookies kept between runs: a sign-in costs a password hash. A request that
 *  may have ended or changed a session (any state-changing request the API accepted)
 *  drops them all, so every run that sends one sends a live session. */
const signedIn = new Map<string, string>();
async function sessionOf(who: { email: string; password: string }): Promise<string> {
  let cookie = signedIn.get(who.email);
  if (!cookie) signedIn.set(who.email, (cookie = await signIn(who)));
  return cookie;
}

/** A signed-in cookie for the fixture user or admin (a fresh session). */
async function signIn(who: { email: string; password: string }): Promise<string> {
  signIns++;
  const res = await send(
    'POST',
    API_ROUTES.login.path,
    { 'content-type': 'application/json' },
    Buffer.from(JSON.stringify({ email: who.email, password: who.password })),
  );
  if (res.status !== 200) throw new Error(`fixture sign-in failed: ${res.status} ${res.body.toString()}`);
  return String(res.headers['set-cookie']![0]!.split(';')[0]);
}

/** Methods that change nothing on the server. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

interface Counts {
  users: number;
  sessions: number;
}
let signIns = 0;
/** The counts after the previous run, and how many sign-ins there had been then. */
let last: Counts | undefined;
let countedAt = -1;

async function counts(): Promise<Counts> {
  const row = await kit.infra.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  let sessions = 0;
  for await (const keys of kit.infra.redis.scanIterator({ MATCH: `${kit.prefix}*`, COUNT: 10_000 })) {
    sessions += keys.filter((k) => k.startsWith(kit.services.keys.sessionPrefix) || k.startsWith(kit.services.keys.userSessionsPrefix)).length;
  }
  return { users: Number(row.n), sessions };
}

// ---- arbitraries

/** Header values Node will send: latin-1 without control characters. */
const headerText = (max: number) => fc.stringMatching(new RegExp(`^[\\t\\x20-\\x7e\\x80-\\xff]{0,${max}}$`));

const hostile = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\uFFFF',
  '\uD800',
  '\u202Eevil',
  'ａｄｍｉｎ@ｅｘａｍｐｌｅ.test',
  'A'.repeat(5000),
  '😀'.repeat(300),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00',
  '__proto__',
  'constructor',
  'user@example.test\r\nBcc: x@y.z',
  ' spaced@example.test ',
);

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: hostile },
  { weight: 1, arbitrary: fc.emailAddress() },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 140_000 }).map((n) => 'x'.repeat(n)) },
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('value'), { maxKeys: 4 }),
  ),
}));

/** The document's request fields (bodies and query strings of every operation). */
const fields = () => [...new Set(routes.flatMap((r) => [...fieldsOf(r.body), ...r.query]))];

/** Bodies close to what routes expect, with hostile values, extra keys, missing keys. */
const shapedBody = () =>
  fc
    .record({
      fields: fc.dictionary(fc.constantFrom(...fields()), fc.oneof(text, value, fc.constantFrom('admin', 'user', 'a long enough passphrase')), { maxKeys: 5 }),
      extra: fc.dictionary(fc.oneof(text, fc.constantFrom('__proto__', 'constructor')), value, { maxKeys: 2 }),
      knownEmail: fc.boolean(),
    })
    .map(({ fields, extra, knownEmail }) => ({ ...extra, ...fields, ...(knownEmail ? { email: user.email } : {}) }));

/** Bodies generated from the operation's documented schema (and the fixture's real
 *  credentials), so that runs also get past validation into the handlers. */
const validBody = (route: Operation) =>
  fc.oneof(
    route.body ? arbitraryFor(route.body, resolve) : fc.constant({}),
    fc.uuid().map((id) => ({ email: `fuzz-${id}@example.test`, password: 'a long enough passphrase' })),
    fc.constant(null).map(() => ({ email: user.email, password: user.password })),
  );

const deepNesting = fc.integer({ min: 100, max: 5000 }).map((d) => '['.repeat(d) + ']'.repeat(d));

type BodySpec = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string } | { kind: 'bytes'; bytes: Uint8Array };

const bodyFor = (route: Operation): fc.Arbitrary<BodySpec> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant<BodySpec>({ kind: 'none' }) },
    { weight: 5, arbitrary: shapedBody().map((v): BodySpec => ({ kind: 'json', value: v })) },
    { weight: 3, arbitrary: validBody(route).map((v): BodySpec => ({ kind: 'json', value: v })) },
    { weight: 2, arbitrary: value.map((v): BodySpec => ({ kind: 'json', value: v })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.constantFrom('{"email":', '{', 'null', '"', '{"a":1}}', '\uFEFF{}', '{"__proto__":{"admin":true}}'), deepNesting, fc.string())
        .map((t): BodySpec => ({ kind: 'raw', text: t })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b): BodySpec => ({ kind: 'bytes', bytes: b })) },
  );

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'APPLICATION/JSON',
      'application/json;;;',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=----x',
      'application/merge-patch+json',
      '',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: headerText(60) },
);

const cookieKind = fc.constantFrom('none', 'user', 'admin', 'forged', 'garbage', 'duplicate', 'huge', 'other-name');

/** Percent-encodes any string, lone surrogates included (as U+FFFD, like a browser). */
const pct = (t: string) => encodeURIComponent(Buffer.from(t).toString());

const pathParam = fc.oneof(
  fc.uuid(),
  text.map((t) => pct(t.slice(0, 300))),
  fc.constantFrom('..', '%', '%zz', '%2F', '%00', 'me', '0', '-1'),
);

/** `arb` in about `percent`% of cases, else null. */
const sometimes = <T>(arb: fc.Arbitrary<T>, percent: number) =>
  fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(null) }, { weight: percent, arbitrary: arb });

/** A request aimed at one operation. */
const requestFor = (route: Operation) =>
  fc.record({
    route: fc.constant(route),
    otherMethod: sometimes(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), 20),
    unknownPath: sometimes(
      fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
      8,
    ),
    params: fc.array(pathParam, { minLength: 3, maxLength: 3 }),
    query: sometimes(
      fc.dictionary(
        fc.constantFrom(...route.query, 'q', 'next', 'a'),
        text.map((t) => t.slice(0, 200)),
        { maxKeys: 3 },
      ),
      25,
    ),
    body: bodyFor(route),
    contentType,
    encoding: sometimes(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'bogus'), 8),
    cookie: cookieKind,
    cookieText: headerText(80),
    origin: sometimes(fc.oneof(fc.constantFrom('null', 'https://evil.example', 'http://localhost:3000'), headerText(40)), 25),
    fetchSite: sometimes(fc.constantFrom('cross-site', 'same-site', 'same-origin', 'none'), 25),
    requestId: sometimes(headerText(100), 25),
    forwardedFor: sometimes(headerText(60), 25),
    bigHeader: sometimes(fc.integer({ min: 1000, max: 12_000 }), 10),
  });

test(`every documented operation, ${RUNS} random and adversarial requests: no 5xx, no undocumented answer, nothing created by a rejected request`, async () => {
  expect(routes.length).toBeGreaterThanOrEqual(10);
  const requests = fc.constantFrom(...routes).chain(requestFor);
  const seen = new Map<string, number>();
  const statuses = new Map<number, number>();

  await fc.assert(
    fc.asyncProperty(requests, async (r) => {
      const { route } = r;
      const method = r.otherMethod ?? route.method;
      let i = 0;
      let path = r.unknownPath ?? route.path.replace(/\{[A-Za-z]+\}/g, () => r.params[i++ % 3]!);
      if (r.query) path += `?${new URLSearchParams(r.query).toString()}`;

      const headers: Record<string, string> = {};
      let payload: Buffer | undefined;
      if (r.body.kind === 'json') payload = Buffer.from(JSON.stringify(r.body.value) ?? 'null');
      else if (r.body.kind === 'raw') payload = Buffer.from(r.body.text);
      else if (r.body.kind === 'bytes') payload = Buffer.from(r.body.bytes);
      // An explicit length: Node's client sends a GET or HEAD body without one, which the
      // server would rightly read as the start of a second, malformed request.
      if (payload) headers['content-length'] = String(payload.length);
      if (payload && r.contentType !== undefined) headers['content-type'] = r.contentType;
      if (payload && r.encoding) headers['content-encoding'] = r.encoding;
      if (r.cookie === 'user') headers.cookie = await sessionOf(user);
      else if (r.cookie === 'admin') headers.cookie = await sessionOf(admin);
      else if (r.cookie === 'forged') headers.cookie = `sid=s:${encodeURIComponent(r.cookieText)}.${encodeURIComponent(r.cookieText)}`;
      else if (r.cookie === 'garbage') headers.cookie = r.cookieText;
      else if (r.cookie === 'duplicate') headers.cookie = `${await sessionOf(user)}; sid=s:other.sig`;
      else if (r.cookie === 'huge') headers.cookie = `sid=${'a'.repeat(6000)}; x=${r.cookieText}`;
      else if (r.cookie === 'other-name') headers.cookie = `__Host-sid=${encodeURIComponent(r.cookieText)}`;
      if (r.origin !== null) headers.origin = r.origin;
      if (r.fetchSite !== null) headers['sec-fetch-site'] = r.fetchSite;
      if (r.requestId !== null) headers['x-request-id'] = r.requestId;
      if (r.forwardedFor !== null) headers['x-forwarded-for'] = r.forwardedFor;
      if (r.bigHeader !== null) headers['x-padding'] = 'p'.repeat(r.bigHeader);

      // What the store holds before the request: as the previous run left it, unless this
      // run signed in (a session more).
      const before = last && countedAt === signIns ? last : await counts();
      const res = await send(method, path, headers, payload);
      if (res.status < 400 && !SAFE.has(method)) signedIn.clear();
      seen.set(`${route.method} ${route.path}`, (seen.get(`${route.method} ${route.path}`) ?? 0) + 1);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);

      // Never a server error.
      expect(res.status).toBeLessThan(500);
      // Every answer as the document says (status, body, headers), checked by the kit.
      expect(takeContractViolations()).toEqual([]);
      // A rejected request created nothing.
      last = await counts();
      countedAt = signIns;
      if (res.status >= 400) expect(last).toEqual(before);
      expect(unexpected).toEqual([]);
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) },
  );

  // The runs reached the handlers (successes) as well as each kind of refusal.
  const codes = [...statuses.keys()];
  expect(codes.filter((c) => c < 300).length).toBeGreaterThanOrEqual(2);
  expect(codes.filter((c) => c >= 400).length).toBeGreaterThanOrEqual(7);
  // Every route was exercised, and the process still serves.
  for (const r of routes) expect(seen.get(`${r.method} ${r.path}`) ?? 0).toBeGreaterThan(0);
  expect((await send('GET', API_ROUTES.health.path, {})).status).toBe(200);
});

test('requests Node itself cannot parse get the error shape too (headers too large, broken request line)', async () => {
  const net = await import('node:net');
  const raw = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
  for (const bytes of [
    `GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    'GET /api/me HTTP/9.9 nonsense\r\n\r\n',
    'GET /api/me HTTP/1.1\r\nHost: x\r\nBad\u0001Header: 1\r\n\r\n',
    '\u0000\u0001\u0002\r\n\r\n',
  ]) {
    const reply = await raw(bytes);
    const [head, ...rest] = reply.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(errorBodySchema.safeParse(JSON.parse(rest.join('\r\n\r\n'))).success).toBe(true);
  }
  expect((await send('GET', API_ROUTES.health.path, {})).status).toBe(200);
});
