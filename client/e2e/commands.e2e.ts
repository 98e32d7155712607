/**
 * The commands a newcomer runs, as they run them (issue 9, items 1 and 5): `npm start`
 * and `npm run dev` from the repository root on two non-default ports (WEB_PORT, PORT)
 * with nothing else set about addresses, then a browser registers, signs out and signs
 * in, with no telemetry notice from Next; and a bad client setting stops the client with
 * one line, without Next's "Ready" banner before it. Uses the run's build (.next-e2e) for
 * `npm start`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createClient } from 'redis';
import { launch, newContext } from './browser';
import { PASSWORD, signInThroughForm, uniqueEmail } from './helpers';
import { CLIENT_DIR, E2E_DIST_DIR, freePort, ROOT, sleep, STANDALONE_SERVER } from './stack';

let browser: Browser;
let dir: string;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefixes: string[] = [];

beforeAll(async () => {
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'cloakroom-e2e-commands-'));
});
afterAll(async () => {
  await browser?.close();
  const redis = createClient({ url: redisUrl });
  redis.on('error', () => undefined);
  await redis.connect();
  for (const prefix of prefixes) for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length) await redis.del(keys);
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  output: () => string;
}

/** Runs a command in a process group of its own (npm → concurrently → API and client),
 *  so stopping it stops all of them. */
function runCommand(command: string, args: string[], env: Record<string, string>, cwd = ROOT): Running {
  const lines: string[] = [];
  // Only what the command needs: nothing of the test runner's own environment leaks in.
  const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } as unknown as NodeJS.ProcessEnv;
  const child = spawn(command, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (d: Buffer) => lines.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => lines.push(d.toString()));
  return { child, output: () => lines.join('') };
}

async function stopGroup(run: Running | undefined): Promise<void> {
  if (!run || run.child.exitCode !== null || run.child.signalCode !== null) return;
  const exited = new Promise((r) => run.child.once('exit', r));
  process.kill(-run.child.pid!, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-run.child.pid!, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitUntilUp(url: string, run: Running, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`exited with ${run.child.exitCode} before ${url} answered:\n${run.output()}`);
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${run.output()}`);
}

/** What a newcomer sets: the two ports, and a database and key prefix of the test's own
 *  (cheap password hashing too: development mode allows it). Nothing about addresses, and
 *  a fresh home folder: Next shows its telemetry notice on a machine's first run. */
async function newcomerEnv(tag: string): Promise<{ env: Record<string, string>; webPort: number; apiPort: number }> {
  const webPort = await freePort();
  const apiPort = await freePort();
  const prefix = `e2e-${tag}:${randomBytes(6).toString('hex')}:`;
  prefixes.push(prefix);
  const home = join(dir, `home-${tag}`);
  mkdirSync(home);
  return {
    webPort,
    apiPort,
    env: {
      WEB_PORT: String(webPort),
      PORT: String(apiPort),
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      DATABASE_URL: `sqlite:${join(dir, `${tag}.db`)}`,
      LOG_LEVEL: 'warn',
      PASSWORD_HASH_MEMORY_KIB: '1024',
      PASSWORD_HASH_TIME_COST: '1',
      HOME: home,
    },
  };
}

/** Registers, signs out and signs in again at `origin`, as a person would. */
async function registerSignOutSignIn(origin: string, timeoutMs: number): Promise<void> {
  const context = await newContext(browser);
  context.setDefaultTimeout(timeoutMs);
  try {
    const page = await context.newPage();
    const email = uniqueEmail('ports');
    await page.goto(`${origin}/register`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${origin}/dashboard`);
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.waitForURL(`${origin}/login`);
    await signInThroughForm(page, email, PASSWORD);
    await page.waitForURL(`${origin}/dashboard`);
    await expect(page.getByTestId('user-email').textContent()).resolves.toBe(email);
  } finally {
    await context.close();
  }
}

test('npm start on WEB_PORT and PORT (no other address set): the API follows, and a browser signs in', async () => {
  const { env, webPort, apiPort } = await newcomerEnv('start');
  const run = runCommand('npm', ['start'], { ...env, CLIENT_DIST_DIR: E2E_DIST_DIR });
  try {
    await waitUntilUp(`http://127.0.0.1:${apiPort}/healthz`, run, 30_000);
    await waitUntilUp(`http://127.0.0.1:${webPort}/`, run, 30_000);
    await registerSignOutSignIn(`http://localhost:${webPort}`, 20_000);
    expect(run.output()).not.toMatch(/anonymous telemetry/i);
  } finally {
    await stopGroup(run);
  }
}, 120_000);

test('npm run dev on WEB_PORT and PORT (no other address set): the API follows, and a browser signs in', async () => {
  const { env, webPort, apiPort } = await newcomerEnv('dev');
  // A build folder of its own, so the development server never touches another build;
  // emptied, because in a container Next remembers there that it showed its telemetry notice.
  rmSync(join(CLIENT_DIR, '.next-e2e-dev'), { recursive: true, force: true });
  const run = runCommand('npm', ['run', 'dev'], { ...env, CLIENT_DIST_DIR: '.next-e2e-dev' });
  try {
    await waitUntilUp(`http://127.0.0.1:${apiPort}/healthz`, run, 60_000);
    await waitUntilUp(`http://127.0.0.1:${webPort}/`, run, 180_000);
    // Development compiles each page on its first visit: slow on two busy cores.
    await registerSignOutSignIn(`http://localhost:${webPort}`, 120_000);
    expect(run.output()).not.toMatch(/anonymous telemetry/i);
  } finally {
    await stopGroup(run);
  }
}, 420_000);

describe('a bad client setting stops the client with one line, and no "Ready" before it', () => {
  const BAD = { CLOAKROOM_ENV: 'production', API_INTERNAL_URL: 'http://127.0.0.1:1' };
  const EXPECTED = /cloakroom client: invalid configuration: IDENTITY_HEADER_SECRET \(or SESSION_SECRET\) is required in production/;

  async function exitOf(run: Running, timeoutMs: number): Promise<number | null> {
    const timer = setTimeout(() => void stopGroup(run), timeoutMs);
    const code = await new Promise<number | null>((r) => (run.child.exitCode !== null ? r(run.child.exitCode) : run.child.once('exit', (c) => r(c))));
    clearTimeout(timer);
    return code;
  }

  test('the production server (standalone, as npm start runs it)', async () => {
    const run = runCommand(
      process.execPath,
      ['--require', join(CLIENT_DIR, 'server/preload.cjs'), STANDALONE_SERVER],
      { ...BAD, PORT: String(await freePort()) },
      CLIENT_DIR,
    );
    expect(await exitOf(run, 30_000)).toBe(78);
    expect(run.output()).toMatch(EXPECTED);
    expect(run.output()).not.toMatch(/Ready/);
  });

  test('the development server (npm run dev -w client)', async () => {
    const run = runCommand('npm', ['run', 'dev', '-w', 'client'], { ...BAD, WEB_PORT: String(await freePort()), CLIENT_DIST_DIR: '.next-e2e-dev' });
    await exitOf(run, 60_000);
    expect(run.output()).toMatch(EXPECTED);
    expect(run.output()).not.toMatch(/Ready/);
  }, 90_000);
});
