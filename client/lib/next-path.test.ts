import { DEFAULT_AFTER_LOGIN, safeNextPath } from './next-path';

/** Django's LoginTest.test_security_check lists plus the checklist's (§3.3) additions. */
const BAD = [
  'http://example.com',
  'http:///example.com',
  'https://example.com',
  'ftp://example.com',
  '///example.com',
  '//example.com',
  'javascript:alert("XSS")',
  '/\\evil.com',
  '\\\\evil.com',
  '\\/evil.com',
  '/%2F%2Fevil.com',
  '/%2f%2fevil.com',
  '%2F%2Fevil.com',
  '/%252F%252Fevil.com',
  '/%5Cevil.com',
  'https:evil.com',
  '\t//evil.com',
  '%09//evil.com',
  '/%09/evil.com',
  '/\t/evil.com',
  '/\n/evil.com',
  ' //evil.com',
  '/ /evil.com',
  'data:text/html,<script>alert(1)</script>',
  '//evil.com@app.example.com',
  'https://app.example.com.evil.com',
  'http://app.example.com',
  'dashboard',
  '',
  '/%E0%A4%A',
  `/${'a'.repeat(2100)}`,
  '/login',
  '/register?next=/dashboard',
];

const GOOD: Array<[string, string]> = [
  ['/view/?param=http://example.com', '/view/?param=http://example.com'],
  ['/view?param=//example.com', '/view?param=//example.com'],
  ['/url%20with%20spaces/', '/url%20with%20spaces/'],
  ['/dashboard#x', '/dashboard#x'],
  ['/security?tab=sessions', '/security?tab=sessions'],
  ['/admin', '/admin'],
  ['/a/../dashboard', '/dashboard'],
];

describe('safeNextPath', () => {
  test.each(BAD)('refuses %j', (bad) => {
    expect(safeNextPath(bad)).toBe(DEFAULT_AFTER_LOGIN);
  });

  test.each(GOOD)('keeps %j', (good, expected) => {
    expect(safeNextPath(good)).toBe(expected);
  });

  test('anything but a string falls back', () => {
    for (const v of [undefined, null, 42, ['/dashboard'], { path: '/x' }]) expect(safeNextPath(v)).toBe(DEFAULT_AFTER_LOGIN);
  });

  test('the fallback can be chosen', () => {
    expect(safeNextPath('//evil.com', '/security')).toBe('/security');
  });

  test('whatever it returns stays on the site when a browser resolves it', () => {
    for (const value of [...BAD, ...GOOD.map(([g]) => g)]) {
      const resolved = new URL(safeNextPath(value), 'https://app.example.com/login');
      expect(resolved.origin).toBe('https://app.example.com');
    }
  });
});
