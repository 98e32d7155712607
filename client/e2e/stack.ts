/**
 * The whole product for browser tests: the built API and the built client (standalone
 * server, with the same preload `npm start` uses) on free ports, against the real Redis
 * (a key prefix of its own) and a fresh SQLite file. The client is built once per run
 * by global-setup.ts, into its own folder (.next-e2e); it is told the API's address when
 * it starts (API_INTERNAL_URL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from 'redis';
import { freePort, sleep } from '../../server/testing/helpers';

export const ROOT = resolve(__dirname, '../..');
export const CLIENT_DIR = join(ROOT, 'client');
export const E2E_DIST_DIR = '.next-e2e';
export const STANDALONE_SERVER = join(CLIENT_DIR, E2E_DIST_DIR, 'standalone', 'client', 'server.js');

export { freePort, sleep };

/** Only what a child needs: nothing of the test runner's own environment leaks in. */
const childEnv = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? '', ...env }) as unknown as NodeJS.ProcessEnv;

interface Proc {
  child: ChildProcess;
  output: () => string;
}

function run(cmd: string, args: string[], env: Record<string, string>, cwd = ROOT): Proc {
  const lines: string[] = [];
  const child = spawn(cmd, args, { cwd, env: childEnv({ HOME: process.env.HOME ?? '', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => lines.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => lines.push(d.toString()));
  return { child, output: () => lines.join('') };
}

async function waitFor(url: string, proc: Proc, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${what} exited with ${proc.child.exitCode}:\n${proc.output()}`);
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await sleep(150);
  }
  throw new Error(`${what} did not come up at ${url} within ${timeoutMs} ms:\n${proc.output()}`);
}

async function stop(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export interface Stack {
  /** The browser's origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  apiUrl: string;
  redisPrefix: string;
  databaseUrl: string;
  /** The client's identity-header secret (tests mint correctly signed forgeries with it). */
  identitySecret: string;
  startApi(): Promise<void>;
  stopApi(): Promise<void>;
  /** Creates a user through the product's own CLI (the only way to make an admin). */
  createUser(email: string, password: string, role?: 'user' | 'admin'): Promise<void>;
  logs(): string;
  close(): Promise<void>;
}

/** `apiEnv`: more of the API's configuration (for example `SMTP_URL`, pointing at a
 *  test's mail catcher). */
export async function startStack(options: { apiEnv?: Record<string, string> } = {}): Promise<Stack> {
  const apiPort = await freePort();
  const clientPort = await freePort();
  const origin = `http://127.0.0.1:${clientPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const dir = mkdtempSync(join(tmpdir(), 'cloakroom-e2e-'));
  const redisPrefix = `e2e:${randomBytes(6).toString('hex')}:`;
  const databaseUrl = `sqlite:${join(dir, 'e2e.db')}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const identitySecret = randomBytes(32).toString('base64url');

  const apiEnv: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    APP_ORIGIN: origin,
    TRUST_PROXY: 'loopback',
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'warn',
    // Cheap argon2id for tests (production refuses these values).
    PASSWORD_HASH_MEMORY_KIB: '1024',
    PASSWORD_HASH_TIME_COST: '1',
    // Every browser here shares one address; the suite registers more than a person would.
    REGISTER_IP_LIMIT: '500',
    // Without an SMTP server of the test's own, mails go to the API's log (development's way).
    ...(options.apiEnv?.SMTP_URL ? {} : { MAIL_TRANSPORT: 'log' }),
    ...options.apiEnv,
  };
  const clientEnv: Record<string, string> = {
    PORT: String(clientPort),
    HOSTNAME: '127.0.0.1',
    API_INTERNAL_URL: apiUrl,
    // Short, so the test of a hanging API does not wait the default 10 s.
    API_PROXY_TIMEOUT_MS: '2000',
    IDENTITY_HEADER_SECRET: identitySecret,
    NEXT_TELEMETRY_DISABLED: '1',
  };

  let api: Proc | undefined;
  const logs: Array<() => string> = [];
  const startApi = async () => {
    api = run(process.execPath, [join(ROOT, 'server/dist/main.js')], apiEnv);
    logs.push(api.output);
    await waitFor(`${apiUrl}/healthz`, api, 'API');
  };
  await startApi();
  const web = run(process.execPath, ['--require', join(CLIENT_DIR, 'server/preload.cjs'), STANDALONE_SERVER], clientEnv, CLIENT_DIR);
  logs.push(web.output);
  await waitFor(`${origin}/`, web, 'client');

  return {
    origin,
    apiUrl,
    redisPrefix,
    databaseUrl,
    identitySecret,
    startApi,
    stopApi: () => stop(api),
    async createUser(email, password, role = 'user') {
      const cli = spawn(process.execPath, [join(ROOT, 'server/dist/cli/user-create.js'), '--email', email, '--role', role], {
        cwd: ROOT,
        env: childEnv(apiEnv),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
      cli.stderr.on('data', (d: Buffer) => (out += d.toString()));
      cli.stdin.end(`${password}\n`);
      const code = await new Promise<number | null>((r) => cli.on('exit', r));
      if (code !== 0) throw new Error(`user-create failed (${code}): ${out}`);
    },
    logs: () => logs.map((l) => l()).join('\n'),
    async close() {
      await stop(web);
      await stop(api);
      const redis = createClient({ url: redisUrl });
      redis.on('error', () => undefined);
      await redis.connect();
      for await (const keys of redis.scanIterator({ MATCH: `${redisPrefix}*`, COUNT: 500 })) {
        if (keys.length) await redis.del(keys);
      }
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
