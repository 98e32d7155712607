import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { sleep } from '../../testing/helpers';

/** The repository root: tsx and the sources are resolved from here. */
export const ROOT = path.resolve(__dirname, '../../..');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Time from spawn to exit. */
  ms: number;
}

/** A child's environment: only PATH and HOME from ours (so no stray variable of the
 *  test run leaks in), plus what the test gives. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

/** The compiled form of the server's entry point `server/src/<entry>.ts`: what
 *  `npm run start:api` and the API's image run. The integration and fault tiers build it
 *  before their first test (helpers/build.ts), so it is never older than the source. */
export const built = (entry: string): string => path.join(ROOT, 'server/dist', `${entry}.js`);

/** Starts a built entry point of the server (`main`, `cli/user-create`…) as node runs it
 *  in production: the pid is the program itself, and no TypeScript is compiled at start. */
export function spawnBuilt(entry: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [built(entry), ...args], { cwd: ROOT, env: childEnv(env), stdio: 'pipe' });
}

/** Waits for a child to exit, collecting its output; kills it after `timeoutMs`. */
export function finished(child: ChildProcess, timeoutMs = 30_000): Promise<Finished> {
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs a built entry point to completion, with `input` on its standard input. */
export function runBuilt(entry: string, args: string[], env: Record<string, string>, input = ''): Promise<Finished> {
  const child = spawnBuilt(entry, args, env);
  const done = finished(child);
  child.stdin!.end(input);
  return done;
}

/** A TCP port on which nothing listens (the kit's free port, under the name these tests
 *  give it where nothing is meant to answer). */
export { freePort as deadPort } from '../../testing/helpers';

/** Resolves once `condition` holds, checking every 20 ms; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Resolves once the async `check` holds (a rejection counts as not yet), polling every
 *  100 ms; rejects after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
