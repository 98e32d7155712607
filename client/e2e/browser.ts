/** Debian's Chromium driven by playwright-core, with the flags this closed network needs. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

declare global {
  // Pages of the running test, screenshotted by environment.ts when it fails.
  var __e2ePages: Set<Page> | undefined;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
}

/** A fresh browser profile (own cookies) whose pages are screenshotted on failure. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  context.on('page', (page) => {
    globalThis.__e2ePages ??= new Set();
    globalThis.__e2ePages.add(page);
    page.on('close', () => globalThis.__e2ePages?.delete(page));
  });
  return context;
}
