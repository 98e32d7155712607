import fc from 'fast-check';
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
  // Paths the URL parser normalises into `//evil.com` (issue 8, item 2).
  '/.//evil.com',
  '/..//evil.com',
  '/x/..//evil.com',
  '/%2e//evil.com',
  '/.///evil.com',
  '/%2E%2E//evil.com',
  '/a/b/../..//evil.com',
  '/./%2e/.//evil.com',
  '/.//evil.com/dashboard?next=/x#y',
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

/** Pieces a hostile `next` is made of: separators and their encodings, dot segments,
 *  schemes, whitespace browsers drop, userinfo and host text. */
const PIECES = [
  '/',
  '//',
  '\\',
  '.',
  '..',
  '%2e',
  '%2E',
  '%2e%2e',
  '%2f',
  '%2F',
  '%5c',
  '%252f',
  '%09',
  '%0a',
  '%00',
  '\t',
  '\n',
  ' ',
  '@',
  ':',
  '?',
  '#',
  '&',
  '=',
  'evil.com',
  'app.example.com',
  'x',
  'http:',
  'https:',
  'javascript:',
  '\u3002',
  '\uff0f',
  '\u2215',
];
const hostileNext = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join('')) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => `/${parts.join('')}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.webUrl().map((u) => u.replace(/^[a-z]+:/, '')) },
  { weight: 1, arbitrary: fc.webPath() },
);
/** Where the value is resolved: the proxy against the requested page's URL, the form
 *  against the sign-in page in the browser. */
const SITES = ['https://app.example.com/login', 'http://127.0.0.1:3000/register?next=%2Fx', 'https://app.example.com/a/b/'];

describe('safeNextPath, for any generated next (fast-check, fixed seed)', () => {
  test('the target a browser or the proxy resolves is on the site itself, and the answer is accepted again as it is', () => {
    fc.assert(
      // Plain checks rather than expect(): 10,000 runs of matchers cost more than the
      // property itself; fast-check reports the failing value and its seed.
      fc.property(hostileNext, (next) => {
        const path = safeNextPath(next);
        const local = path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
        return local && SITES.every((site) => new URL(path, site).origin === new URL(site).origin) && safeNextPath(path) === path;
      }),
      { seed: 20261128, numRuns: 10_000 },
    );
  });
});
