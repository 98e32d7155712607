import type { Browser } from 'playwright-core';
import { launch } from './browser';
import { startStack, type Stack } from './stack';

/** The product and a browser for one test file. */
export async function startSuite(apiEnv?: Record<string, string>): Promise<{ stack: Stack; browser: Browser }> {
  const stack = await startStack(apiEnv ? { apiEnv } : {});
  return { stack, browser: await launch() };
}

export async function stopSuite(stack: Stack | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await stack?.close();
}
