import type { Browser, Page } from 'playwright-core';
import { API_ROUTES } from '@cloakroom/shared';
import { newContext } from './browser';
import { startSuite, stopSuite } from './suite';
import type { Stack } from './stack';

/** The API reference (GET /api/docs) in a real Chromium: it renders this API's document,
 *  under its own Content-Security-Policy with not one violation, asking nothing of any
 *  other origin; on the API's origin and through the client's /api rewrite alike. */
let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  ({ stack, browser } = await startSuite());
});
afterAll(() => stopSuite(stack, browser));

interface Seen {
  violations: string[];
  errors: string[];
  requests: string[];
}

async function openReference(origin: string): Promise<{ page: Page; seen: Seen }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const seen: Seen = { violations: [], errors: [], requests: [] };
  // Every violation the page meets, from the first script on (the event fires even for
  // a violation the page's own code catches).
  await page.exposeFunction('__reportViolation', (v: string) => seen.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportViolation: (v: string) => void }).__reportViolation(
        `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('request', (r) => seen.requests.push(r.url()));
  const res = await page.goto(`${origin}${API_ROUTES.apiReference.path}`);
  expect(res?.status()).toBe(200);
  expect(res?.headers()['content-security-policy']).toMatch(/^default-src 'none'; script-src 'self' 'sha256-/);
  return { page, seen };
}

test.each([
  ['the API itself', () => stack.apiUrl],
  ["the client's /api rewrite", () => stack.origin],
])('on %s: the reference renders every group of operations, with no CSP violation and nothing from elsewhere', async (_where, origin) => {
  const { page, seen } = await openReference(origin());
  // The document's own words, rendered by the bundle from /api/openapi.json.
  await page.getByRole('heading', { name: 'Cloakroom API' }).first().waitFor();
  for (const tag of ['Authentication', 'Account', 'Sessions', 'Administration', 'Health', 'Reference']) {
    await page.getByText(tag, { exact: true }).first().waitFor();
  }
  await page.getByText('Sign in', { exact: true }).first().waitFor();
  await page.waitForLoadState('load');

  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
  expect(seen.requests.length).toBeGreaterThanOrEqual(3);
  for (const url of seen.requests) expect(new URL(url).origin).toBe(origin());
  expect(seen.requests.map((u) => new URL(u).pathname)).toEqual(
    expect.arrayContaining([API_ROUTES.apiReference.path, API_ROUTES.apiReferenceScript.path, API_ROUTES.openApiDocument.path]),
  );
  await page.context().close();
});
