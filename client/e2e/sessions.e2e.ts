import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newContext } from './browser';
import { PASSWORD, register, signInThroughForm, uniqueEmail, visibleText, where } from './helpers';
import type { Stack } from './stack';
import { startSuite, stopSuite } from './suite';

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => ({ stack, browser } = await startSuite()));
afterAll(() => stopSuite(stack, browser));
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

/** A browser of its own (own cookies), signed in as `email`, on `path`. */
async function signedInBrowser(email: string, path = '/dashboard'): Promise<Page> {
  const context = await newContext(browser);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.origin}/login?${new URLSearchParams({ next: path })}`);
  await signInThroughForm(page, email, PASSWORD);
  await page.waitForURL((url) => url.pathname === path);
  return page;
}

test('a session revoked from a second browser is bounced on its next navigation', async () => {
  const email = uniqueEmail('revoke');
  await stack.createUser(email, PASSWORD);
  const laptop = await signedInBrowser(email, '/dashboard');
  const phone = await signedInBrowser(email, '/security');

  // The phone sees two sessions, itself marked, and signs the other one out.
  const rows = phone.locator('[data-testid=sessions] tbody tr');
  await rows.nth(1).waitFor();
  await expect(rows.count()).resolves.toBe(2);
  await expect(phone.locator('tr[data-current]').textContent()).resolves.toContain('This device');
  await phone
    .locator('tr:not([data-current])')
    .getByRole('button', { name: /^Sign out/ })
    .click();
  await expect(visibleText(phone, '.success')).resolves.toBe('The session was signed out.');
  await expect(rows.count()).resolves.toBe(1);

  await laptop.goto(`${stack.origin}/security`);
  expect(where(laptop)).toBe('/login?next=%2Fsecurity');
  // The phone carries on.
  await phone.goto(`${stack.origin}/dashboard`);
  expect(where(phone)).toBe('/dashboard');
});

test('"sign out all other sessions" ends every session but this one', async () => {
  const email = uniqueEmail('others');
  await stack.createUser(email, PASSWORD);
  const a = await signedInBrowser(email);
  const b = await signedInBrowser(email);
  const me = await signedInBrowser(email, '/security');
  await me.locator('[data-testid=sessions] tbody tr').nth(2).waitFor();
  await me.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await expect(visibleText(me, '.success')).resolves.toBe('Signed out 2 other sessions.');
  for (const other of [a, b]) {
    await other.goto(`${stack.origin}/dashboard`);
    expect(where(other)).toBe('/login?next=%2Fdashboard');
  }
  await me.goto(`${stack.origin}/dashboard`);
  expect(where(me)).toBe('/dashboard');
});

test('an admin promoting a user opens /admin on their next navigation; demoting shuts it', async () => {
  const adminEmail = uniqueEmail('admin');
  const userEmail = uniqueEmail('member');
  await stack.createUser(adminEmail, PASSWORD, 'admin');
  await stack.createUser(userEmail, PASSWORD);
  const user = await signedInBrowser(userEmail);
  const admin = await signedInBrowser(adminEmail, '/admin');

  const before = await user.goto(`${stack.origin}/admin`);
  expect(before?.status()).toBe(403);
  await expect(user.getByRole('heading', { name: 'Forbidden' }).isVisible()).resolves.toBe(true);
  await expect(user.getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);

  // Find the user, promote.
  await admin.getByLabel('Email starts with').fill(userEmail);
  await admin.getByRole('button', { name: 'Search' }).click();
  const row = admin.locator(`tr[data-email="${userEmail}"]`);
  // The unfiltered first page may list this user too: wait for the search's own answer.
  await admin.waitForFunction(() => document.querySelectorAll('[data-testid=users] tbody tr').length === 1);
  await row.waitFor();
  await row.getByRole('button', { name: `Make ${userEmail} an administrator` }).click();
  await expect(visibleText(admin, '.success')).resolves.toBe(`${userEmail} is now an administrator.`);

  const promoted = await user.goto(`${stack.origin}/admin`);
  expect(promoted?.status()).toBe(200);
  await expect(user.getByRole('heading', { name: 'Users', exact: true }).isVisible()).resolves.toBe(true);

  await row.getByRole('button', { name: `Make ${userEmail} a user` }).click();
  await expect(visibleText(admin, '.success')).resolves.toBe(`${userEmail} is now a user.`);
  const demoted = await user.goto(`${stack.origin}/admin`);
  expect(demoted?.status()).toBe(403);
  await expect(user.getByText('this page is for administrators only').isVisible()).resolves.toBe(true);
});

test('an admin signing a user out everywhere bounces that user', async () => {
  const adminEmail = uniqueEmail('admin2');
  const userEmail = uniqueEmail('target');
  await stack.createUser(adminEmail, PASSWORD, 'admin');
  await stack.createUser(userEmail, PASSWORD);
  const user = await signedInBrowser(userEmail);
  const admin = await signedInBrowser(adminEmail, '/admin');
  await admin.getByLabel('Email starts with').fill(userEmail);
  await admin.getByRole('button', { name: 'Search' }).click();
  await admin
    .locator(`tr[data-email="${userEmail}"]`)
    .getByRole('button', { name: `Sign out every session of ${userEmail}` })
    .click();
  await expect(visibleText(admin, '.success')).resolves.toBe(`Signed out 1 session of ${userEmail}.`);
  await user.reload();
  expect(where(user)).toBe('/login?next=%2Fdashboard');
});

test('admin paging walks through the users', async () => {
  const adminEmail = uniqueEmail('pager');
  await stack.createUser(adminEmail, PASSWORD, 'admin');
  for (let i = 0; i < 21; i++) await stack.createUser(`page-${String(i).padStart(2, '0')}@paging.test`, PASSWORD);
  const admin = await signedInBrowser(adminEmail, '/admin');
  await admin.getByLabel('Email starts with').fill('page-');
  await admin.getByRole('button', { name: 'Search' }).click();
  const rows = admin.locator('[data-testid=users] tbody tr');
  await admin.locator('tr[data-email="page-00@paging.test"]').waitFor();
  await expect(rows.count()).resolves.toBe(20);
  await admin.getByRole('button', { name: 'Next page' }).click();
  await admin.locator('tr[data-email="page-20@paging.test"]').waitFor();
  await expect(rows.count()).resolves.toBe(1);
  await expect(admin.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
  await admin.getByRole('button', { name: 'Previous page' }).click();
  await admin.locator('tr[data-email="page-00@paging.test"]').waitFor();
});

test('password change: errors next to the fields, then success signs the other sessions out', async () => {
  const email = uniqueEmail('password');
  await stack.createUser(email, PASSWORD);
  const other = await signedInBrowser(email);
  const page = await signedInBrowser(email, '/security');
  // The email panel asks for the current password too: work in this form only.
  const passwordForm = page.getByRole('region', { name: 'Change password' });

  await passwordForm.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(visibleText(page, '#currentPassword-error')).resolves.toBe('The current password is incorrect');

  await passwordForm.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(visibleText(page, '#newPassword-error')).resolves.toBe('Password must be at least 8 characters');

  await passwordForm.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(visibleText(page, '.success')).resolves.toContain('Password changed');

  await other.goto(`${stack.origin}/dashboard`);
  expect(where(other)).toBe('/login?next=%2Fdashboard');
  // This browser carries on under its new session, and the new password works.
  await page.goto(`${stack.origin}/dashboard`);
  expect(where(page)).toBe('/dashboard');
  const fresh = await newContext(browser);
  contexts.push(fresh);
  const check = await fresh.newPage();
  await check.goto(`${stack.origin}/login`);
  await signInThroughForm(check, email, 'a brand new passphrase');
  await check.waitForURL(`${stack.origin}/dashboard`);
});

test('the security page lists recent security events', async () => {
  const page = await (async () => {
    const context = await newContext(browser);
    contexts.push(context);
    const p = await context.newPage();
    await register(p, stack.origin, uniqueEmail('events'));
    return p;
  })();
  await page.goto(`${stack.origin}/security`);
  const events = page.locator('[data-testid=events] li');
  await events.first().waitFor();
  await expect(page.locator('[data-testid=events]').textContent()).resolves.toContain('Account created');
});
