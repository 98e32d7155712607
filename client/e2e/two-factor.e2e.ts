/** The second factor in a real browser: set up an authenticator app (codes computed here
 *  from the secret the page shows, as a phone app would), then sign in in two steps, with
 *  a code and with a recovery code. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createClient } from 'redis';
import { newContext } from './browser';
import { awayFromStepEdge, code, register, signInThroughForm, turnOnAuthenticator, uniqueEmail, PASSWORD } from './helpers';
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

/** Makes this browser's session look as if its user last proved who they are 11 minutes
 *  ago (past REAUTH_WINDOW), by editing its record in Redis. */
async function ageAuthentication(): Promise<void> {
  const handle = await page.evaluate(async () => ((await (await fetch('/api/me')).json()) as { session: { id: string } }).session.id);
  const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  await redis.connect();
  try {
    // The record's key carries its owner's hash-slot tag before the handle (server/src/redis/keys.ts).
    const [key] = await redis.keys(`${stack.redisPrefix}sess:*:${handle}`);
    if (!key) throw new Error(`no session record for ${handle}`);
    const record = JSON.parse((await redis.get(key))!) as { meta: { authTime: number } };
    record.meta.authTime = Date.now() - 11 * 60_000;
    await redis.set(key, JSON.stringify(record), { KEEPTTL: true });
  } finally {
    await redis.close();
  }
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.waitForURL(`${stack.origin}/login`);
}

test('set up an authenticator app (local QR code and the key as text), see the recovery codes once, then sign in in two steps with a code and with a recovery code', async () => {
  const email = uniqueEmail('totp');
  await register(page, stack.origin, email);
  await page.goto(`${stack.origin}/security`);
  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(page.getByRole('img', { name: /QR code/ }).getAttribute('src')).resolves.toMatch(/^data:image\/png;base64,/);

  await page.getByLabel('Code from the app').fill('000000');
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByText('That code is not right').waitFor();
  await awayFromStepEdge();
  // The previous step's code: this step's stays unused for the sign-in below.
  await page.getByLabel('Code from the app').fill(await code(secret, -1));
  await page.getByRole('button', { name: 'Turn on' }).click();
  const codes = page.getByTestId('recovery-codes').locator('li');
  await codes.first().waitFor();
  await expect(codes.count()).resolves.toBe(10);
  const recoveryCode = (await codes.nth(2).textContent())!;
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await page.getByText('Recovery codes left:').waitFor();
  await expect(page.getByTestId('recovery-codes').count()).resolves.toBe(0);

  await signOut();
  await signInThroughForm(page, email, PASSWORD);
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.getByLabel('Code from your authenticator app').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByText('That code is not right').waitFor();
  await page.getByLabel('Code from your authenticator app').fill(await code(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(`${stack.origin}/dashboard`);
  await expect(page.getByTestId('user-email').textContent()).resolves.toBe(email);

  await signOut();
  await signInThroughForm(page, email, PASSWORD);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(recoveryCode);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(`${stack.origin}/dashboard`);
  await page.goto(`${stack.origin}/security`);
  await page.getByText('Recovery code used to sign in').first().waitFor();
});

test('a page request during the second step (a late prefetch of /register, another tab on /login) does not end the pending sign-in', async () => {
  const email = uniqueEmail('totp-prefetch');
  await register(page, stack.origin, email);
  await page.goto(`${stack.origin}/security`);
  const secret = await turnOnAuthenticator(page);

  await signOut();
  await signInThroughForm(page, email, PASSWORD);
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  // What Next's router does on its own when a link's prefetch lands late: a page request
  // with the cookies of the pending sign-in, which /api/me does not count as signed in.
  for (const path of ['/register', '/login'])
    await page.evaluate(async (p) => void (await fetch(p, { headers: { 'next-router-prefetch': '1', rsc: '1' } })), path);
  await page.getByLabel('Code from your authenticator app').fill(await code(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(`${stack.origin}/dashboard`);
  await expect(page.getByTestId('user-email').textContent()).resolves.toBe(email);
});

test('a sensitive change after the re-authentication window asks for the password in a dialog, then goes through', async () => {
  await register(page, stack.origin, uniqueEmail('reauth'));
  await page.goto(`${stack.origin}/security`);
  await page.getByRole('button', { name: 'Set up authenticator app' }).waitFor();
  await ageAuthentication();
  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await dialog.waitFor();
  await dialog.getByLabel('Password').fill('not the password');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await dialog.getByText('The password is incorrect').waitFor();
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  // The action is retried once confirmed: the key appears.
  await expect(page.getByTestId('totp-secret').textContent()).resolves.toMatch(/^[A-Z2-7]{32}$/);
  await expect(dialog.isVisible()).resolves.toBe(false);
});
