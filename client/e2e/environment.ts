/** Jest's node environment, plus: when a test fails, every browser page the test
 *  registered (see browser.ts) is saved as a screenshot under test-results/e2e/. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import NodeEnvironment from 'jest-environment-node';
import type { Circus } from '@jest/types';
import type { Page } from 'playwright-core';
import { ROOT } from './stack';

export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'e2e');

const slug = (s: string) =>
  s
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 120);

function fullName(test: Circus.TestEntry): string {
  const parts: string[] = [test.name];
  for (let block: Circus.DescribeBlock | undefined = test.parent; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent)
    parts.unshift(block.name);
  return parts.join(' ');
}

export default class E2EEnvironment extends NodeEnvironment {
  async handleTestEvent(event: Circus.Event): Promise<void> {
    if (event.name !== 'test_fn_failure') return;
    const pages = this.global.__e2ePages ?? new Set<Page>();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    let i = 0;
    for (const page of pages) {
      if (page.isClosed()) continue;
      const file = join(SCREENSHOT_DIR, `${slug(fullName(event.test))}-${++i}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true, timeout: 5000 });
        process.stderr.write(`e2e: screenshot of the failed test saved to ${file}\n`);
      } catch {
        // a page that cannot be captured any more has nothing to show
      }
    }
  }
}
