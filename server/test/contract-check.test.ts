/**
 * The kit's check of every answer against the served OpenAPI document (server/testing/
 * contract.ts): what it lets through and what it reports, on answers made to measure, and
 * on a real app answering outside its document.
 */
import { sql } from 'kysely';
import { API_ROUTES } from '@cloakroom/shared';
import { contractCheck, createTestApp, takeContractViolations, type ContractCheck, type Exchange, type TestApp } from '@cloakroom/server/testing';

let kit: TestApp;
let check: ContractCheck;
beforeAll(async () => {
  kit = await createTestApp();
  check = contractCheck((await kit.agent().get(API_ROUTES.openApiDocument.path).expect(200)).body);
});
afterAll(() => kit.close());

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const exchange = (method: string, url: string, status: number, body: unknown, headers: Record<string, string> = {}): Exchange => ({
  method,
  url,
  status,
  headers: { ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...headers },
  body: body === undefined ? Buffer.alloc(0) : json(body),
});
const error = (code: string) => ({ error: { code, message: 'words' } });
const at = '2026-01-01T00:00:00.000Z';
const user = { id: 'u1', email: 'a@b.test', name: null, role: 'user', createdAt: at, emailVerified: false };
const me = { user, session: { id: 'h', createdAt: at, expiresAt: at, idleExpiresAt: at } };

test('a documented answer passes', () => {
  expect(check(exchange('GET', '/api/me', 200, me))).toEqual([]);
  expect(check(exchange('GET', '/api/me', 401, error('unauthenticated')))).toEqual([]);
  expect(check(exchange('POST', '/api/auth/login', 429, error('too_many_attempts'), { 'retry-after': '3' }))).toEqual([]);
  expect(check(exchange('DELETE', '/api/auth/sessions/abc', 204, undefined))).toEqual([]);
  // Express's matching: any case, a trailing slash.
  expect(check(exchange('GET', '/API/ME/?x=1', 200, me))).toEqual([]);
  expect(check(exchange('HEAD', '/api/me', 200, undefined))).toEqual([]);
});

test('an undocumented status fails', () => {
  expect(check(exchange('GET', '/api/me', 409, error('email_taken')))).toEqual([expect.stringMatching(/status 409 is not documented for GET \/api\/me/)]);
  expect(check(exchange('GET', '/api/me', 500, error('internal_error')))).toEqual([expect.stringMatching(/status 500 is not documented/)]);
});

test('an undocumented field, a missing one, or a code the status does not carry there fails', () => {
  expect(check(exchange('GET', '/api/me', 200, { ...me, user: { ...user, passwordHash: 'x' } }))).toEqual([
    expect.stringMatching(/does not match GET \/api\/me 200: \/user must NOT have additional properties/),
  ]);
  expect(check(exchange('GET', '/api/me', 200, { user }))).toEqual([expect.stringMatching(/must have required property 'session'/)]);
  expect(check(exchange('GET', '/api/me', 401, error('invalid_credentials')))).toEqual([
    expect.stringMatching(/\/error\/code must be equal to one of the allowed values/),
  ]);
  expect(check(exchange('GET', '/api/me', 200, { ...me, session: { ...me.session, createdAt: 'yesterday' } }))).toEqual([
    expect.stringMatching(/must match format "date-time"/),
  ]);
});

test('a 429 without Retry-After, a body where none is documented, another media type: each fails', () => {
  expect(check(exchange('POST', '/api/auth/login', 429, error('too_many_attempts')))).toEqual([
    expect.stringMatching(/required header Retry-After is missing/),
  ]);
  expect(check(exchange('POST', '/api/auth/logout', 204, { ok: true }))).toEqual([expect.stringMatching(/documents no body for 204/)]);
  expect(check({ ...exchange('GET', '/api/me', 200, me), headers: { 'content-type': 'text/html' } })).toEqual([
    expect.stringMatching(/content type "text\/html"/),
  ]);
});

test('off the operations: 404 for an unknown path, 405 with the documented Allow, 204 for a preflight, errors raised before routing', () => {
  expect(check(exchange('GET', '/api/nothing', 404, error('not_found')))).toEqual([]);
  expect(check(exchange('POST', '/api/nothing', 403, error('csrf_rejected')))).toEqual([]);
  expect(check(exchange('GET', '/api/nothing', 200, {}))).toEqual([expect.stringMatching(/no documented path/)]);
  expect(check(exchange('PUT', '/api/auth/sessions', 405, error('method_not_allowed'), { allow: 'GET, DELETE, HEAD' }))).toEqual([]);
  expect(check(exchange('PUT', '/api/auth/sessions', 405, error('method_not_allowed'), { allow: 'GET, HEAD' }))).toEqual([
    expect.stringMatching(/Allow is "GET, HEAD", the document says DELETE, GET, HEAD/),
  ]);
  expect(check(exchange('PUT', '/api/auth/sessions', 200, {}))).toEqual([expect.stringMatching(/method not documented/)]);
  expect(check(exchange('OPTIONS', '/anything', 204, undefined))).toEqual([]);
});

test('the kit records an answer outside the document, and a test that gets one fails unless it takes it', async () => {
  const { agent } = await kit.signedInAgent();
  takeContractViolations();
  await sql`alter table users rename to users_away`.execute(kit.infra.db);
  try {
    await agent.get(API_ROUTES.me.path).expect(500);
  } finally {
    await sql`alter table users_away rename to users`.execute(kit.infra.db);
  }
  expect(takeContractViolations()).toEqual([expect.stringMatching(/^GET \/api\/me → 500: status 500 is not documented for GET \/api\/me/)]);
  await agent.get(API_ROUTES.me.path).expect(200);
  expect(takeContractViolations()).toEqual([]);
});
