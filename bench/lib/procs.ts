import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, sleep } from '../../server/testing/helpers';

export const ROOT = path.resolve(__dirname, '../..');

export { freePort, sleep };

export interface Service {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  /** Where its stdout and stderr go (production servers log one line per request). */
  logFile: string;
  stop(): Promise<void>;
}

export interface ServiceSpec {
  name: string;
  /** node arguments (script first). */
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Path answered with 2xx once the service is ready. */
  readyPath: string;
  logDir: string;
  port?: number;
  readyTimeoutMs?: number;
}

/** Starts a Node program on a free port and waits until `readyPath` answers. Its output
 *  goes straight to a file (a pipe read by this process would cost the bench CPU). */
export async function startService(spec: ServiceSpec): Promise<Service> {
  const port = spec.port ?? (await freePort());
  const logFile = path.join(spec.logDir, `${spec.name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, spec.args, {
    cwd: spec.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited (${signal ?? code})`));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new Error(`${spec.name} ${exited} before it was ready; see ${logFile}:\n${tail(logFile)}`);
    try {
      const res = await fetch(url + spec.readyPath, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs ?? 30_000} ms; see ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  return {
    name: spec.name,
    url,
    port,
    child,
    logFile,
    stop: () => stopChild(child),
  };
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Resident memory of a process in MiB (Linux /proc), or null elsewhere. */
export function rssMiB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/** Runs a command to completion, inheriting the terminal; rejects on failure. */
export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code})`))));
  });
}
