import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';

export const uniqueEmail = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}@example.test`;
export const PASSWORD = 'correct horse battery staple';

export async function signInThroughForm(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

export async function register(page: Page, origin: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${origin}/register`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${origin}/dashboard`);
}

/** The page's path and query, for asserting where the browser ended up. */
export const where = (page: Page) => {
  const u = new URL(page.url());
  return `${u.pathname}${u.search}`;
};

/** Text of an element once it is visible (Playwright's getters do not wait for content). */
export async function visibleText(page: Page, selector: string): Promise<string> {
  const el = page.locator(selector).first();
  await el.waitFor({ state: 'visible' });
  return (await el.textContent()) ?? '';
}

/** Signs in through the API (via the client's /api rewrite, as a browser would) and
 *  returns the Cookie header value to send to pages. */
export async function apiSignIn(origin: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => /^(__Host-)?sid=/.test(c));
  if (!cookie) throw new Error('login set no session cookie');
  return cookie.split(';')[0]!;
}

/** The code an authenticator app shows `offsetSteps` 30-second steps from now. */
export const code = (secret: string, offsetSteps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

/** Keeps a code computed now inside its 30-second step until the server checks it. */
export async function awayFromStepEdge(): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 5000) await new Promise((r) => setTimeout(r, left + 50));
}

/** Turns on an authenticator app on the security page the browser is on; returns its
 *  secret. The confirming code is the previous step's, so this step's stays unused. */
export async function turnOnAuthenticator(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!;
  await awayFromStepEdge();
  await page.getByLabel('Code from the app').fill(await code(secret, -1));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  return secret;
}
