import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newContext } from './browser';
import { PASSWORD, register, signInThroughForm, uniqueEmail, visibleText, where } from './helpers';
import type { Stack } from './stack';
import { startSuite, stopSuite } from './suite';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => ({ stack, browser } = await startSuite()));
afterAll(() => stopSuite(stack, browser));
beforeEach(async () => {
  context = await newContext(browser);
  page = await context.newPage();
});
afterEach(() => context.close());

test('a signed-out visit to /dashboard lands on sign-in and comes back to /dashboard after signing in', async () => {
  const email = uniqueEmail('back');
  await stack.createUser(email, PASSWORD);

  await page.goto(`${stack.origin}/dashboard?tab=1`);
  expect(where(page)).toBe('/login?next=%2Fdashboard%3Ftab%3D1');
  await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);

  await signInThroughForm(page, email, PASSWORD);
  await page.waitForURL(`${stack.origin}/dashboard?tab=1`);
  await expect(page.getByTestId('user-email').textContent()).resolves.toBe(email);
  await expect(page.getByTestId('session-ends').textContent()).resolves.toMatch(/This session ends .+ at the latest/);
});

test('registering signs the new user in and shows the dashboard', async () => {
  const email = uniqueEmail('new');
  await register(page, stack.origin, email);
  await expect(page.getByTestId('user-email').textContent()).resolves.toBe(email);
  await expect(page.getByTestId('user-role').textContent()).resolves.toBe('User');
});

test('a signed-in visitor opening /login or /register goes to the dashboard, or to a valid next', async () => {
  await register(page, stack.origin, uniqueEmail('already'));
  await page.goto(`${stack.origin}/login`);
  expect(where(page)).toBe('/dashboard');
  await page.goto(`${stack.origin}/register`);
  expect(where(page)).toBe('/dashboard');
  await page.goto(`${stack.origin}/login?next=${encodeURIComponent('/security?x=1')}`);
  expect(where(page)).toBe('/security?x=1');
  await page.goto(`${stack.origin}/login?next=${encodeURIComponent('//evil.test/')}`);
  expect(where(page)).toBe('/dashboard');
});

test('after signing out, the back button shows no signed-in content', async () => {
  const email = uniqueEmail('backbutton');
  await register(page, stack.origin, email);
  await page.getByRole('link', { name: 'Security' }).click();
  await page.waitForURL(`${stack.origin}/security`);
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.waitForURL(`${stack.origin}/login`);

  await page.goBack();
  await page.waitForLoadState('load');
  expect(new URL(page.url()).pathname).toBe('/login');
  await expect(page.getByText(email).count()).resolves.toBe(0);
  await expect(page.getByTestId('signed-in-as').count()).resolves.toBe(0);

  // Straight to a signed-in page with the old cookie gone: sign-in again.
  await page.goto(`${stack.origin}/dashboard`);
  expect(where(page)).toBe('/login?next=%2Fdashboard');
});

test('no page breaks its own Content Security Policy', async () => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
  });
  for (const path of ['/', '/login', '/register']) await page.goto(`${stack.origin}${path}`, { waitUntil: 'networkidle' });
  await register(page, stack.origin, uniqueEmail('csp'));
  for (const path of ['/dashboard', '/security']) await page.goto(`${stack.origin}${path}`, { waitUntil: 'networkidle' });
  const forbidden = await page.goto(`${stack.origin}/admin`, { waitUntil: 'networkidle' });
  expect(forbidden?.status()).toBe(403);
  expect(violations).toEqual([]);
});

test('/favicon.ico is served, so the pages the proxy writes itself (no icon link) log no console error for it', async () => {
  const icon = await fetch(`${stack.origin}/favicon.ico`);
  expect(icon.status).toBe(200);
  expect(icon.headers.get('content-type')).toMatch(/^image\//);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && m.location().url !== page.url()) errors.push(`${m.location().url}: ${m.text()}`);
  });
  await register(page, stack.origin, uniqueEmail('favicon'));
  const forbidden = await page.goto(`${stack.origin}/admin`, { waitUntil: 'networkidle' });
  expect(forbidden?.status()).toBe(403);
  await page.goto(`${stack.origin}/api/me`, { waitUntil: 'networkidle' });
  expect(errors).toEqual([]);
});

test('every signed-in page has a sign-out control', async () => {
  await register(page, stack.origin, uniqueEmail('controls'));
  for (const path of ['/dashboard', '/security']) {
    await page.goto(`${stack.origin}${path}`);
    await expect(page.getByRole('button', { name: 'Sign out', exact: true }).first().isVisible()).resolves.toBe(true);
  }
});

describe('open redirects: a hostile next stays on the site', () => {
  /** Paths that the URL parser normalises into `//evil.test` (issue 8, item 2). */
  const NORMALISED = ['/.//evil.test', '/..//evil.test', '/x/..//evil.test', '/%2e//evil.test', '/.///evil.test'];
  const BAD = [
    ...NORMALISED,
    'http://evil.test',
    'https://evil.test/',
    '//evil.test',
    '///evil.test',
    '/\\evil.test',
    '\\\\evil.test',
    '/%2F%2Fevil.test',
    '%2F%2Fevil.test',
    'https:evil.test',
    '\t//evil.test',
    '/%09/evil.test',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '//evil.test@127.0.0.1',
  ];
  /** Were the browser sent to evil.test, it lands on a page there (this network resolves
   *  no such name), so the assertion names where it went. */
  const catchEvil = () =>
    context.route(
      (url) => url.hostname === 'evil.test',
      (route) => route.fulfill({ status: 200, body: 'evil' }),
    );

  test.each(BAD)('signing in through the form with next=%j → /dashboard on this origin', async (bad) => {
    await catchEvil();
    const email = uniqueEmail('redirect');
    await stack.createUser(email, PASSWORD);
    await page.goto(`${stack.origin}/login?${new URLSearchParams({ next: bad })}`);
    await signInThroughForm(page, email, PASSWORD);
    await page.waitForURL((url) => url.pathname === '/dashboard' || url.hostname === 'evil.test');
    expect(`${new URL(page.url()).origin}${new URL(page.url()).pathname}`).toBe(`${stack.origin}/dashboard`);
  });

  test.each(NORMALISED)('signed in, opening /login?next=%j is redirected by the proxy to /dashboard on this origin', async (bad) => {
    await register(page, stack.origin, uniqueEmail('redirect-proxy'));
    // Routes do not see a redirect's next hop, so every navigation is recorded instead.
    const navigations: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest()) navigations.push(r.url());
    });
    await page.goto(`${stack.origin}/login?${new URLSearchParams({ next: bad })}`).catch(() => undefined);
    expect(navigations.map((u) => new URL(u).origin)).toEqual([stack.origin, stack.origin]);
    expect(`${new URL(page.url()).origin}${new URL(page.url()).pathname}`).toBe(`${stack.origin}/dashboard`);
  });

  test.each(NORMALISED)('registering with next=%j → /dashboard on this origin', async (bad) => {
    await catchEvil();
    await page.goto(`${stack.origin}/register?${new URLSearchParams({ next: bad })}`);
    await page.getByLabel('Email').fill(uniqueEmail('redirect-register'));
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard' || url.hostname === 'evil.test');
    expect(`${new URL(page.url()).origin}${new URL(page.url()).pathname}`).toBe(`${stack.origin}/dashboard`);
  });

  test('a same-site next with its query is honoured', async () => {
    const email = uniqueEmail('good');
    await stack.createUser(email, PASSWORD);
    await page.goto(`${stack.origin}/login?${new URLSearchParams({ next: '/security?param=//example.com#x' })}`);
    await signInThroughForm(page, email, PASSWORD);
    await page.waitForURL((url) => url.pathname === '/security');
    expect(page.url()).toBe(`${stack.origin}/security?param=//example.com#x`);
  });
});

describe('form errors are shown in words next to the field', () => {
  test('a page opened at an address the API does not accept says so, not "reload the page"', async () => {
    const email = uniqueEmail('origin');
    await stack.createUser(email, PASSWORD);
    // The stack's APP_ORIGIN is http://127.0.0.1:<port>; the same server as localhost is another origin.
    const elsewhere = stack.origin.replace('127.0.0.1', 'localhost');
    await page.goto(`${elsewhere}/login`);
    await signInThroughForm(page, email, PASSWORD);
    const alert = await visibleText(page, '.form-error');
    expect(alert).toContain(`does not accept requests from pages at ${elsewhere}`);
    expect(alert).toContain('APP_ORIGIN');
    expect(alert).not.toMatch(/reload/i);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  test('sign-in with a wrong password says so, and keeps the user on the form', async () => {
    const email = uniqueEmail('wrong');
    await stack.createUser(email, PASSWORD);
    await page.goto(`${stack.origin}/login`);
    await signInThroughForm(page, email, 'not the password');
    await expect(visibleText(page, '.form-error')).resolves.toContain('The email or password is incorrect');
    expect(where(page)).toBe('/login');
  });

  test('sign-in with an invalid email marks the email field', async () => {
    await page.goto(`${stack.origin}/login`);
    await signInThroughForm(page, 'not-an-email', 'whatever');
    await expect(visibleText(page, '#email-error')).resolves.toBe('Enter a valid email address');
    await expect(page.getByLabel('Email').getAttribute('aria-invalid')).resolves.toBe('true');
  });

  test('register with a short password, a taken email, an empty form', async () => {
    const taken = uniqueEmail('taken');
    await stack.createUser(taken, PASSWORD);
    await page.goto(`${stack.origin}/register`);

    await page.getByLabel('Email').fill(uniqueEmail('short'));
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(visibleText(page, '#password-error')).resolves.toBe('Password must be at least 8 characters');

    await page.getByLabel('Email').fill(taken);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(visibleText(page, '.form-error')).resolves.toContain('An account with this email already exists');

    await page.getByLabel('Email').fill('');
    await page.getByLabel('Password', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(visibleText(page, '#email-error')).resolves.toBe('Enter a valid email address');
    await expect(visibleText(page, '#password-error')).resolves.toBe('Password must be at least 8 characters');
  });

  test('password fields are type=password with the right autocomplete, and accept paste', async () => {
    await page.goto(`${stack.origin}/login`);
    const pw = page.getByLabel('Password', { exact: true });
    await expect(pw.getAttribute('type')).resolves.toBe('password');
    await expect(pw.getAttribute('autocomplete')).resolves.toBe('current-password');
    await pw.focus();
    // Nothing on the page cancels a paste (a cancelled paste would be refused by the page).
    const cancelled = await page.evaluate(() => {
      const ev = new ClipboardEvent('paste', { bubbles: true, cancelable: true });
      return !document.activeElement!.dispatchEvent(ev);
    });
    expect(cancelled).toBe(false);

    await page.goto(`${stack.origin}/register`);
    await expect(page.getByLabel('Password', { exact: true }).getAttribute('autocomplete')).resolves.toBe('new-password');
  });
});
