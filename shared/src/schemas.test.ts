/** The contract's own rules, as client and server both get them from this package. */
import { ERROR_STATUS, errorBodySchema, loginBodySchema, PASSWORD_MAX_BYTES, passwordChangeBodySchema, registerBodySchema, sessionCookieName } from './index';

const issues = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  result.error?.issues.map((i) => [i.path.join('.'), i.message]) ?? [];

test('emails are trimmed and lower-cased; passwords are kept exactly as typed', () => {
  const body = registerBodySchema.parse({ email: '  Ann@Example.COM ', password: '  Pass Phrase  ' });
  expect(body).toEqual({ email: 'ann@example.com', password: '  Pass Phrase  ' });
  expect(loginBodySchema.parse({ email: 'ANN@example.com', password: ' x ' }).password).toBe(' x ');
});

test('new passwords: at least 8 characters counted as people count them, at most 1024 bytes', () => {
  expect(registerBodySchema.safeParse({ email: 'a@b.test', password: '1234567' }).success).toBe(false);
  expect(registerBodySchema.safeParse({ email: 'a@b.test', password: '😀'.repeat(8) }).success).toBe(true); // 8 characters, 16 UTF-16 units
  expect(registerBodySchema.safeParse({ email: 'a@b.test', password: '😀'.repeat(64) }).success).toBe(true); // 256 bytes
  expect(registerBodySchema.safeParse({ email: 'a@b.test', password: 'x'.repeat(PASSWORD_MAX_BYTES) }).success).toBe(true);
  const tooLong = registerBodySchema.safeParse({ email: 'a@b.test', password: 'é'.repeat(PASSWORD_MAX_BYTES / 2 + 1) });
  expect(issues(tooLong)).toEqual([['password', `Password must be at most ${PASSWORD_MAX_BYTES} bytes`]]);
});

test('missing fields, wrong types and non-objects get messages a person can act on', () => {
  expect(issues(loginBodySchema.safeParse({}))).toEqual([
    ['email', 'Email is required'],
    ['password', 'Password is required'],
  ]);
  expect(issues(loginBodySchema.safeParse({ email: 42, password: ['x'] }))).toEqual([
    ['email', 'Email must be a string'],
    ['password', 'Password must be a string'],
  ]);
  expect(issues(loginBodySchema.safeParse('email=a'))).toEqual([['', 'The request body must be a JSON object']]);
  expect(issues(passwordChangeBodySchema.safeParse({ currentPassword: 'old one', newPassword: 'short' }))).toEqual([
    ['newPassword', 'Password must be at least 8 characters'],
  ]);
});

test('every error code has a fixed HTTP status, and the error shape accepts only those codes', () => {
  for (const [code, status] of Object.entries(ERROR_STATUS)) {
    expect(status).toBeGreaterThanOrEqual(400);
    expect(errorBodySchema.safeParse({ error: { code, message: 'm' } }).success).toBe(true);
  }
  expect(errorBodySchema.safeParse({ error: { code: 'made_up', message: 'm' } }).success).toBe(false);
});

test('the session cookie is __Host-sid when Secure and sid otherwise', () => {
  expect(sessionCookieName(true)).toBe('__Host-sid');
  expect(sessionCookieName(false)).toBe('sid');
});
