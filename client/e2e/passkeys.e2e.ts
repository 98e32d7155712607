/**
 * Passkeys in a real Chromium, with its DevTools virtual authenticator standing in for a
 * platform authenticator (a CDP session from playwright-core: WebAuthn.enable and
 * addVirtualAuthenticator, CTAP2, resident keys, user verification): add a passkey on the
 * security page, sign out, sign in with the passkey alone, remove it, and see it refused;
 * and a passkey answering the second step after a password, in place of the app's code;
 * and an administrator who must sign in with two factors meeting that with a passkey.
 * The stack runs at http://localhost:PORT: browsers refuse an IP address as a WebAuthn RP ID.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newContext } from './browser';
import { PASSWORD, signInThroughForm, turnOnAuthenticator, uniqueEmail, visibleText, where } from './helpers';
import type { Stack } from './stack';
import { startSuite, stopSuite } from './suite';

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];

// Administrators must sign in with two factors here (the last test): other users are not affected.
beforeAll(async () => ({ stack, browser } = await startSuite({ host: 'localhost', apiEnv: { REQUIRE_2FA_FOR_ROLES: 'admin' } })));
afterAll(() => stopSuite(stack, browser));
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

/** A fresh browser whose page has a platform authenticator with user verification. */
async function browserWithAuthenticator(): Promise<{ page: Page; credentials: () => Promise<unknown[]> }> {
  const context = await newContext(browser);
  contexts.push(context);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { page, credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
  await page.waitForURL((url) => url.pathname === '/login');
}

test('add a passkey, sign out, sign in with it alone, remove it', async () => {
  const email = uniqueEmail('passkey');
  await stack.createUser(email, PASSWORD);
  const { page, credentials } = await browserWithAuthenticator();

  await page.goto(`${stack.origin}/login?next=%2Fsecurity`);
  await signInThroughForm(page, email, PASSWORD);
  await page.waitForURL((url) => url.pathname === '/security');
  await page.getByText('You have no passkeys yet.').waitFor();

  // Add one, named.
  await page.getByLabel('Name (optional)').fill('Test laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(visibleText(page, '.success')).resolves.toBe('Passkey added. You can now sign in with it.');
  await expect(page.locator('[data-testid=passkeys] tbody tr').first().textContent()).resolves.toContain('Test laptop');
  // The authenticator holds a discoverable credential for this site, tied to the account.
  const held = (await credentials()) as Array<{ isResidentCredential: boolean; rpId: string }>;
  expect(held).toEqual([expect.objectContaining({ isResidentCredential: true, rpId: 'localhost' })]);

  // Signed out, the passkey alone signs in: no email, no password typed.
  await signOut(page);
  await page.goto(`${stack.origin}/login?next=%2Fsecurity`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL((url) => url.pathname === '/security');
  await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain(email);
  await expect(page.locator('[data-testid=passkeys] tbody tr').first().textContent()).resolves.not.toContain('never');

  // Removed, it signs in no more (the authenticator still holds it; the server refuses it).
  await page.getByRole('button', { name: 'Remove Test laptop' }).click();
  await expect(visibleText(page, '.success')).resolves.toBe('Passkey "Test laptop" removed. It cannot sign in any more.');
  await page.getByText('You have no passkeys yet.').waitFor();
  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(visibleText(page, '.passkey-sign-in .form-error')).resolves.toBe('That passkey was not accepted. Try again, or sign in with your password.');
  expect(where(page)).toBe('/login');
});

test('with an authenticator app and a passkey, the second step after the password can be the passkey', async () => {
  const email = uniqueEmail('passkey-2fa');
  await stack.createUser(email, PASSWORD);
  const { page } = await browserWithAuthenticator();
  await page.goto(`${stack.origin}/login?next=%2Fsecurity`);
  await signInThroughForm(page, email, PASSWORD);
  await page.waitForURL((url) => url.pathname === '/security');

  await turnOnAuthenticator(page);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText('Passkey added. You can now sign in with it.').waitFor();

  await signOut(page);
  await page.goto(`${stack.origin}/login?next=%2Fsecurity`);
  await signInThroughForm(page, email, PASSWORD);
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.getByRole('button', { name: 'Use a passkey instead' }).click();
  await page.waitForURL((url) => url.pathname === '/security');
  await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain(email);
});

test('an administrator who must sign in with two factors: held to setup after the password, free after a passkey sign-in', async () => {
  const email = uniqueEmail('passkey-admin');
  await stack.createUser(email, PASSWORD, 'admin');
  const { page } = await browserWithAuthenticator();
  await page.goto(`${stack.origin}/login?next=%2Fadmin`);
  await signInThroughForm(page, email, PASSWORD);
  // The password alone: sent to set up a second factor, whatever `next` said.
  await page.waitForURL((url) => url.pathname === '/security');
  await page.getByText('set up an authenticator app to continue using Cloakroom (or sign in with a passkey)').waitFor();
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText('Passkey added. You can now sign in with it.').waitFor();

  await signOut(page);
  await page.goto(`${stack.origin}/login?next=%2Fadmin`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL((url) => url.pathname === '/admin');
  await page.getByTestId('users').waitFor();
  await page.goto(`${stack.origin}/security`);
  // Every panel loaded (each read an API route that would have answered 403 before)...
  for (const id of ['sessions', 'events', 'passkeys']) await page.getByTestId(id).waitFor();
  await page.getByRole('button', { name: 'Set up authenticator app' }).waitFor();
  // ...and neither the notice nor any panel's 403 (they all say "Your account needs a second factor").
  await expect(page.getByText('Your account needs a second factor').count()).resolves.toBe(0);
});
