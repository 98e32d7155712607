import type { Browser } from 'playwright-core';
import { newContext } from './browser';
import { PASSWORD, signInThroughForm, uniqueEmail, where } from './helpers';
import type { Stack } from './stack';
import { startSuite, stopSuite } from './suite';

let stack: Stack;
let browser: Browser;

beforeAll(async () => ({ stack, browser } = await startSuite()));
afterAll(() => stopSuite(stack, browser));

test('with the API stopped, a signed-in page fails closed with a 503 page, and opens again when the API is back', async () => {
  const email = uniqueEmail('outage');
  await stack.createUser(email, PASSWORD);
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${stack.origin}/login?next=%2Fsecurity`);
  await signInThroughForm(page, email, PASSWORD);
  await page.waitForURL(`${stack.origin}/security`);

  await stack.stopApi();
  try {
    const started = Date.now();
    const res = await page.goto(`${stack.origin}/dashboard`);
    expect(res?.status()).toBe(503);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(where(page)).toBe('/dashboard');
    await expect(page.getByRole('heading', { name: 'Service unavailable' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('The service is unavailable').isVisible()).resolves.toBe(true);
    await expect(page.getByText(email).count()).resolves.toBe(0);
    expect(res?.headers()['retry-after']).toBe('5');

    // The admin page too: nothing is served without an answer from the API.
    const admin = await page.goto(`${stack.origin}/admin`);
    expect(admin?.status()).toBe(503);
  } finally {
    await stack.startApi();
  }
  const back = await page.goto(`${stack.origin}/dashboard`);
  expect(back?.status()).toBe(200);
  await expect(page.getByTestId('user-email').textContent()).resolves.toBe(email);
  await context.close();
});
