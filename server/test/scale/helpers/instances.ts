/**
 * N API processes (the real entry point, built: server/dist/main.js) on one Redis and one
 * database, behind a real HAProxy (round robin, no stickiness, health checks on
 * /readyz). Everything runs on free ports and is killed by `stop()`, or by an exit hook
 * if the run dies first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deadPort, spawnBuilt, waitFor } from '../../helpers/processes';

const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of everyChild) child.kill('SIGKILL');
});

const ready = async (base: string) => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200;

export interface Instance {
  port: number;
  base: string;
  /** SIGTERM, then waits for the exit (the graceful shutdown: drain, then close). */
  stop(): Promise<number | null>;
  start(): Promise<void>;
  output(): string;
}

/** One API process. `env` comes on top of the defaults here (cheap hashing, a shared
 *  prefix and secret, TRUST_PROXY for HAProxy on loopback). */
function instance(port: number, env: Record<string, string>): Instance {
  let child: ChildProcess | undefined;
  let out = '';
  const self: Instance = {
    port,
    base: `http://127.0.0.1:${port}`,
    output: () => out,
    async start() {
      out = '';
      child = spawnBuilt('main', [], { ...env, PORT: String(port), HOST: '127.0.0.1' });
      everyChild.add(child);
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const c = child;
      await waitFor(
        `the API on ${port}`,
        async () => {
          if (c.exitCode !== null) throw new Error(`the API on ${port} exited: ${out}`);
          return ready(self.base);
        },
        60_000,
      );
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return c?.exitCode ?? null;
      const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
      c.kill('SIGTERM');
      const code = await exited;
      everyChild.delete(c);
      return code;
    },
  };
  return self;
}

export interface Farm {
  instances: Instance[];
  /** The instances' shared Redis key prefix. */
  prefix: string;
  /** HAProxy's address: what clients use. */
  base: string;
  /** The health-check interval HAProxy uses, ms. */
  checkIntervalMs: number;
  /** Resolves once HAProxy counts every instance as up. */
  allUp(): Promise<void>;
  stop(): Promise<void>;
}

const CHECK_INTERVAL_MS = 200;

/** `count` API instances sharing a Redis (`redis`: the variables naming it, such as a
 *  topology's REDIS_CLUSTER_NODES; the test Redis by default), a prefix of their own and
 *  a database, behind HAProxy. Also what `npm run bench -- --instances` measures. */
export async function startFarm(options: { count: number; databaseUrl: string; redis?: Record<string, string>; env?: Record<string, string> }): Promise<Farm> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-farm-'));
  const prefix = `scale:${randomBytes(6).toString('hex')}:`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    ...(options.redis ?? { REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }),
    REDIS_PREFIX: prefix,
    DATABASE_URL: options.databaseUrl,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    PASSWORD_HASH_MEMORY_KIB: '1024',
    PASSWORD_HASH_TIME_COST: '1',
    COOKIE_SECURE: 'false',
    TRUST_PROXY: 'loopback',
    // Out of the pool within 2 failed checks, then one more interval to spare.
    SHUTDOWN_DRAIN_MS: String(4 * CHECK_INTERVAL_MS),
    ...options.env,
  };
  const instances: Instance[] = [];
  for (let i = 0; i < options.count; i++) instances.push(instance(await deadPort(), env));
  const port = await deadPort();
  const statsPort = await deadPort();
  const config = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(
    config,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      // A connection refused by an instance that has just closed its listener is tried
      // on another instance.
      '  retries 3',
      '  option redispatch',
      '  retry-on conn-failure',
      '  option forwardfor',
      'frontend api',
      `  bind 127.0.0.1:${port}`,
      '  default_backend instances',
      'frontend stats',
      `  bind 127.0.0.1:${statsPort}`,
      '  http-request return status 200 content-type text/plain lf-string "%[nbsrv(instances)]"',
      'backend instances',
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      `  default-server inter ${CHECK_INTERVAL_MS}ms fall 1 rise 1`,
      ...instances.map((inst, i) => `  server api${i + 1} 127.0.0.1:${inst.port} check`),
      '',
    ].join('\n'),
  );
  let haproxy: ChildProcess | undefined;
  const stop = async () => {
    await Promise.all(instances.map((i) => i.stop()));
    if (haproxy && haproxy.exitCode === null) {
      const exited = new Promise((resolve) => haproxy!.once('exit', resolve));
      haproxy.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const allUp = () =>
    waitFor('HAProxy to count every instance up', async () => Number(await (await fetch(`http://127.0.0.1:${statsPort}/`)).text()) === instances.length);
  try {
    // One at a time: each applies the migrations it finds missing.
    for (const inst of instances) await inst.start();
    haproxy = spawn('haproxy', ['-db', '-f', config], { stdio: 'ignore' });
    everyChild.add(haproxy);
    await allUp();
  } catch (err) {
    await stop();
    throw err;
  }
  return { instances, prefix, base: `http://127.0.0.1:${port}`, checkIntervalMs: CHECK_INTERVAL_MS, allUp, stop };
}
