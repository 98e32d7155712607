import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import argon2 from 'argon2';
import { createDatabase } from '../../server/dist/db/connection';
import { usersRepository } from '../../server/dist/db/users';
import { ARGON2_OWASP } from '../../server/dist/config/env';
import { ROOT, startService, type Service } from './procs';

/** Everything the API processes of one bench run share. */
export interface ApiSettings {
  redisUrl: string;
  prefix: string;
  databaseFile: string;
  /** Another database than the SQLite file (a postgres:// URL). */
  databaseUrl?: string;
  secret: string;
  logDir: string;
}

export const newSecret = () => randomBytes(36).toString('base64url');

/** The production build of the API, as `npm run start:api` runs it: NODE_ENV=production
 *  (so argon2id at the OWASP cost and info-level request logs, written to a file),
 *  plain-HTTP cookies, and loopback trusted as a proxy so load generators can stand in
 *  for many client addresses through X-Forwarded-For. */
export function startApi(name: string, s: ApiSettings, extra: Record<string, string> = {}, port?: number): Promise<Service> {
  return startService({
    name,
    ...(port ? { port } : {}),
    args: [path.join(ROOT, 'server/dist/main.js')],
    env: {
      NODE_ENV: 'production',
      REDIS_URL: s.redisUrl,
      REDIS_PREFIX: s.prefix,
      DATABASE_URL: s.databaseUrl ?? `sqlite:${s.databaseFile}`,
      SESSION_SECRET: s.secret,
      COOKIE_SECURE: 'false',
      TRUST_PROXY: 'loopback',
      // Benchmarks send no mail worth delivering: production's SMTP requirement waived.
      MAIL_TRANSPORT: 'log',
      ...extra,
    },
    readyPath: '/readyz',
    logDir: s.logDir,
  });
}

export function startReference(s: ApiSettings): Promise<Service> {
  return startService({
    name: 'reference',
    args: ['--import', 'tsx', path.join(ROOT, 'bench/servers/reference.ts')],
    env: { NODE_ENV: 'production', REDIS_URL: s.redisUrl, REDIS_PREFIX: `${s.prefix}ref:sess:`, DATABASE_FILE: s.databaseFile, SESSION_SECRET: s.secret },
    readyPath: '/healthz',
    logDir: s.logDir,
  });
}

export function startBare(body: string, logDir: string): Promise<Service> {
  return startService({
    name: 'bare',
    args: ['--import', 'tsx', path.join(ROOT, 'bench/servers/bare.ts')],
    env: { NODE_ENV: 'production', BODY: body },
    readyPath: '/healthz',
    logDir,
  });
}

/** Where the bench builds the client (its own folder, so it never replaces the build
 *  `npm start` or the e2e tests use). */
export const CLIENT_DIST_DIR = '.next-bench';
export const clientServerJs = () => path.join(ROOT, 'client', CLIENT_DIST_DIR, 'standalone/client/server.js');
/** The Next client's production (standalone) server, gated by proxy.ts, or with the
 *  gate switched off (PROXY_GATE=off, the client's benchmark-only switch: the proxy
 *  vouches for a fixed user instead of asking /api/me; the page does the same work). */
export function startClient(name: string, apiUrl: string, secret: string, gate: 'on' | 'off', logDir: string): Promise<Service> {
  return startService({
    name,
    cwd: path.join(ROOT, 'client'),
    args: ['--require', path.join(ROOT, 'client/server/preload.cjs'), clientServerJs()],
    env: {
      NODE_ENV: 'production',
      CLOAKROOM_ENV: 'production',
      HOSTNAME: '127.0.0.1',
      API_INTERNAL_URL: apiUrl,
      SESSION_SECRET: secret,
      PROXY_GATE: gate,
      ...(gate === 'off' ? { PROXY_GATE_OFF_ALLOWED: 'benchmark' } : {}),
    },
    readyPath: '/',
    logDir,
    readyTimeoutMs: 60_000,
  });
}

export interface BenchUsers {
  password: string;
  bench: { id: string; email: string };
  many: { id: string; email: string };
  storm: string[];
}

/** Creates the bench's accounts straight in the database (the API has migrated it),
 *  all with one argon2id hash at the production cost: signing in costs what it costs in
 *  production, creating 100 accounts does not take 100 hashes. */
export async function createUsers(databaseUrl: string, stormAccounts: number, password = `bench-${randomBytes(9).toString('base64url')}`): Promise<BenchUsers> {
  const passwordHash = await argon2.hash(password, {
    type: argon2.argon2id,
    memoryCost: ARGON2_OWASP.memoryKiB,
    timeCost: ARGON2_OWASP.timeCost,
    parallelism: ARGON2_OWASP.parallelism,
  });
  const db = await createDatabase(databaseUrl);
  const users = usersRepository(db);
  const make = async (email: string, name: string) => {
    const user = await users.create({ email, name, passwordHash });
    if (user === 'email_taken') throw new Error(`${email} exists`);
    return { id: user.id, email };
  };
  try {
    const bench = await make('bench@bench.invalid', 'Bench User');
    const many = await make('many-sessions@bench.invalid', 'Many Sessions');
    const storm: string[] = [];
    for (let i = 0; i < stormAccounts; i++) storm.push((await make(`storm-${i}@bench.invalid`, `Storm ${i}`)).email);
    return { password, bench, many, storm };
  } finally {
    await db.destroy();
  }
}

export { signIn } from '../../server/testing/helpers';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-bench-'));
}
