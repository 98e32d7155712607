/** Every class of bad input gets a clear error in the contract's shape, never a 500:
 *  malformed JSON, wrong types and missing fields (400 validation_failed with details),
 *  bodies that are not JSON (415), bodies over 100 kB (413), unknown routes (404) and
 *  wrong methods (405). */
import { errorBodySchema, type ErrorCode } from '@cloakroom/shared';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import type { Response } from 'supertest';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

/** The contract's error shape, with this code and its status, as JSON. */
function expectError(res: Response, status: number, code: ErrorCode): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(errorBodySchema.strict().parse(res.body).error.code).toBe(code);
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

const BODY_ROUTES = ['/api/auth/register', '/api/auth/login'];

describe.each(BODY_ROUTES)('POST %s', (path) => {
  const post = () => kit.agent().post(path);

  test.each([
    ['a truncated object', '{"email": "a@example.test", "password": '],
    ['a trailing comma', '{"email": "a@example.test",}'],
    ['single quotes', "{'email': 'a@example.test'}"],
    ['a bare word', 'hello'],
  ])('malformed JSON (%s): 400 validation_failed with details', async (_what, raw) => {
    const res = await post().set('Content-Type', 'application/json').send(raw);
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.details).toEqual([expect.objectContaining({ code: 'invalid_json' })]);
  });

  test.each([
    ['numbers and booleans', { email: 42, password: true }, ['email', 'password']],
    ['objects', { email: { $gt: '' }, password: ['a'] }, ['email', 'password']],
    ['null fields', { email: null, password: null }, ['email', 'password']],
    ['a wrong-typed password only', { email: 'typed@example.test', password: 12345678 }, ['password']],
  ])('wrong types (%s): 400 validation_failed naming each field', async (_what, body, fields) => {
    const res = await post().send(body);
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(fields);
  });

  test.each([
    ['an empty object', {}, ['email', 'password']],
    ['no password', { email: 'm@example.test' }, ['password']],
    ['no email', { password: 'a long enough passphrase' }, ['email']],
  ])('missing fields (%s): 400 validation_failed naming each field', async (_what, body, fields) => {
    const res = await post().send(body);
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(fields);
  });

  test.each([
    ['an array', '[]'],
    ['a string', '"text"'],
    ['null', 'null'],
    ['a number', '42'],
  ])('JSON that is not an object (%s): 400 validation_failed', async (_what, raw) => {
    expectError(await post().set('Content-Type', 'application/json').send(raw), 400, 'validation_failed');
  });

  test('JSON with no body at all: 400 validation_failed', async () => {
    expectError(await post().set('Content-Type', 'application/json'), 400, 'validation_failed');
  });

  test.each([
    ['text/plain', 'text/plain', '{"email":"a@example.test","password":"a long passphrase"}'],
    ['a form', 'application/x-www-form-urlencoded', 'email=a%40example.test&password=a+long+passphrase'],
    ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.test\r\n--x--\r\n'],
    ['XML', 'application/xml', '<login/>'],
    ['JSON in another charset', 'application/json; charset=latin1', '{"email":"a@example.test"}'],
  ])('a body that is not JSON (%s): 415', async (_what, type, raw) => {
    expectError(await post().set('Content-Type', type).send(raw), 415, 'unsupported_media_type');
  });

  test('a body over 100 kB: 413', async () => {
    const res = await post().send({ email: 'big@example.test', password: 'a long passphrase', padding: 'x'.repeat(101 * 1024) });
    expectError(res, 413, 'payload_too_large');
  });

  test('a body just under 100 kB is read (and judged on its fields)', async () => {
    const res = await post().send({ email: 'not-an-email', password: 'a long passphrase', padding: 'x'.repeat(99 * 1024) });
    expectError(res, 400, 'validation_failed');
  });
});

describe('POST /api/auth/logout', () => {
  test('takes no body, but a non-JSON one is still 415', async () => {
    expectError(await kit.agent().post('/api/auth/logout').set('Content-Type', 'text/plain').send('bye'), 415, 'unsupported_media_type');
    await kit.agent().post('/api/auth/logout').expect(204);
    await kit.agent().post('/api/auth/logout').send({}).expect(204);
  });
});

describe('routes and methods', () => {
  test.each([
    ['GET', '/api/nothing-here'],
    ['GET', '/nothing'],
    ['POST', '/api/auth/nothing'],
    ['DELETE', '/api'],
    ['GET', '/api/me/extra'],
  ])('%s %s: 404 not_found', async (method, path) => {
    const res = await kit.agent()[method.toLowerCase() as 'get'](path);
    expectError(res, 404, 'not_found');
  });

  test.each([
    ['GET', '/api/auth/login', 'POST'],
    ['PUT', '/api/auth/register', 'POST'],
    ['GET', '/api/auth/logout', 'POST'],
    ['POST', '/api/me', 'GET, HEAD'],
    ['DELETE', '/api/me', 'GET, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PATCH', '/readyz', 'GET, HEAD'],
  ])('%s %s: 405 method_not_allowed, Allow: %s', async (method, path, allow) => {
    const res = await kit.agent()[method.toLowerCase() as 'get'](path);
    expectError(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toBe(allow);
  });
});

test('a burst of every kind of bad input leaves the API healthy and answering', async () => {
  const bad = [
    kit.agent().post('/api/auth/login').set('Content-Type', 'application/json').send('{'),
    kit.agent().post('/api/auth/register').send({ email: [], password: {} }),
    kit.agent().post('/api/auth/login').set('Content-Type', 'text/plain').send('x'),
    kit
      .agent()
      .post('/api/auth/register')
      .send({ x: 'y'.repeat(200 * 1024) }),
    kit.agent().get('/api/me').set('Cookie', 'sid=%E0%A4%A'),
    kit
      .agent()
      .get('/api/me')
      .set('Cookie', `sid=${'s:'.repeat(2000)}`),
  ];
  for (const res of await Promise.all(bad)) expect(res.status).toBeLessThan(500);
  await kit.agent().get('/readyz').expect(200);
});
