/**
 * Getting back in, in Chromium, with mail over real SMTP (the test kit's catcher): forgot
 * password -> the mailed link -> the reset page -> sign in with the new password;
 * verifying an address by its link; changing the address from the security page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createMailCatcher, type MailCatcher } from '../../server/testing/mail-catcher';
import { newContext } from './browser';
import { PASSWORD, register, signInThroughForm, uniqueEmail, where } from './helpers';
import type { Stack } from './stack';
import { startSuite, stopSuite } from './suite';

let catcher: MailCatcher;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  catcher = await createMailCatcher();
  ({ stack, browser } = await startSuite({ SMTP_URL: catcher.url, MAIL_POLL_INTERVAL_MS: '200' }));
});
afterAll(async () => {
  await stopSuite(stack, browser);
  await catcher?.stop();
});
beforeEach(async () => {
  context = await newContext(browser);
  page = await context.newPage();
});
afterEach(() => context.close());

test('forgot password -> the mailed link -> a new password -> sign in with it', async () => {
  const email = uniqueEmail('forgot');
  await stack.createUser(email, PASSWORD);

  await page.goto(`${stack.origin}/login`);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.waitForURL(`${stack.origin}/forgot-password`);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByText(`If an account uses ${email}`).waitFor();

  const mail = await catcher.lastMail(email, { timeoutMs: 20_000 });
  const link = mail.links.find((l) => l.includes('/reset-password#token='))!;
  expect(link.startsWith(`${stack.origin}/reset-password#token=`)).toBe(true);

  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).waitFor();
  // The token left the address bar once read.
  expect(new URL(page.url()).hash).toBe('');
  await expect(page.getByLabel('New password', { exact: true }).getAttribute('autocomplete')).resolves.toBe('new-password');
  const newPassword = 'a fresh start for this account';
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByText('Your password has been changed').waitFor();

  await page.getByRole('link', { name: 'Sign in with your new password' }).click();
  await page.waitForURL(`${stack.origin}/login`);
  await signInThroughForm(page, email, newPassword);
  await page.waitForURL(`${stack.origin}/dashboard`);
  expect(where(page)).toBe('/dashboard');

  // The same link a second time: refused in words, with a way to ask again.
  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill('yet another passphrase 3');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByText('This link is invalid or has expired').waitFor();
});

test('verify by link: sign up, follow the mailed link, and the security page says confirmed', async () => {
  const email = uniqueEmail('verify');
  await register(page, stack.origin, email);
  await page.goto(`${stack.origin}/security`);
  await page.getByText('not confirmed yet').waitFor();

  const mail = await catcher.lastMail(email, { timeoutMs: 20_000 });
  await page.goto(mail.links.find((l) => l.includes('/verify-email#token='))!);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.getByText(`${email} is confirmed.`).waitFor();

  await page.goto(`${stack.origin}/security`);
  await page.getByText('— confirmed').waitFor();
});

test('change email from the security page: confirmed from the new mailbox, shown on the page', async () => {
  const email = uniqueEmail('before');
  const newEmail = uniqueEmail('after');
  await register(page, stack.origin, email);
  await page.goto(`${stack.origin}/security`);
  await page.getByLabel('New email address').fill(newEmail);
  await page.getByRole('region', { name: 'Email address' }).getByLabel('Current password').fill(PASSWORD);
  const before = catcher.mails().length;
  await page.getByRole('button', { name: 'Change email address' }).click();
  await page.getByText(`We have mailed a confirmation link to ${newEmail}`).waitFor();

  const confirm = await catcher.lastMail(newEmail, { timeoutMs: 20_000, after: before });
  const notice = await catcher.lastMail(email, { timeoutMs: 20_000, after: before });
  expect(notice.text).toContain(newEmail);
  await page.goto(confirm.links.find((l) => l.includes('/verify-email#token='))!);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.getByText(`${newEmail} is confirmed.`).waitFor();

  await page.goto(`${stack.origin}/security`);
  await page.getByText(newEmail).first().waitFor();
});
