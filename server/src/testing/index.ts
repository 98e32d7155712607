/**
 * The Cloakroom test kit, for supertest suites against the API (`@cloakroom/server/testing`).
 *
 *   const kit = await createTestApp();
 *   const { agent, user } = await kit.signedInAgent({ role: 'admin' });
 *   await agent.get('/api/me').expect(200);
 *   await kit.close();
 *
 * Every app gets its own Redis key prefix and a fresh database (in-memory SQLite, or a
 * schema of its own on PostgreSQL when TEST_DATABASE_URL is set), so suites can run in
 * parallel against the same Redis and PostgreSQL without touching each other's data.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { PublicUser, UserResponse } from '@cloakroom/shared';
import { createApp, type Services } from '../app';
import { withMeFastPath, type ApiHandler } from '../http/me-fast-path';
import { loadConfig, type Config } from '../config/env';
import { closeInfrastructure, connectInfrastructure } from '../infrastructure';
import type { Infrastructure } from '../services';
import { createLogger } from '../logging/logger';
import type { Role, UserRow } from '../db/users';

export interface TestAppOptions {
  /** `sqlite::memory:` (the default) or a postgres:// URL; on PostgreSQL the app gets a
   *  schema of its own, dropped by close(). */
  databaseUrl?: string;
  /** false: use the database exactly as `databaseUrl` names it (no schema of its own on
   *  PostgreSQL), for example one a command-line tool has just written to. close() then
   *  leaves its data alone. Default true. */
  isolateDatabase?: boolean;
  /** Environment variables on top of the kit's defaults (for example short timeouts:
   *  `{ SESSION_IDLE_TIMEOUT: '2' }`). */
  env?: Record<string, string>;
  /** Keep the app's log lines in memory (see `logs()`); otherwise logging is silent. */
  captureLogs?: boolean;
}

export interface TestUserInput {
  email?: string;
  password?: string;
  name?: string;
  role?: Role;
}

export interface TestUser {
  user: UserRow;
  email: string;
  /** The plain password, for logging in. */
  password: string;
}

export interface TestApp {
  /** The Express app alone. */
  app: Express;
  /** What the real server runs: the Express app behind the GET /api/me fast path
   *  (http/me-fast-path.ts). Agents use it; pass it to supertest or http.createServer. */
  handler: ApiHandler;
  config: Config;
  services: Services;
  infra: Infrastructure;
  /** This app's Redis key prefix; everything it writes starts with it. */
  prefix: string;
  /** A fresh supertest agent with its own cookie jar. */
  agent(): TestAgent;
  /** Creates a user directly in the database (no HTTP, no rate limits). */
  createUser(input?: TestUserInput): Promise<TestUser>;
  /** Creates a user (or takes the given one) and signs in through POST /api/auth/login,
   *  returning an agent whose cookie jar holds the real session cookie. */
  signedInAgent(input?: TestUserInput | TestUser): Promise<TestUser & { agent: TestAgent; publicUser: PublicUser }>;
  /** Log lines written so far (only with `captureLogs`). */
  logs(): string;
  /** Deletes this app's Redis keys and database, and closes its connections. */
  close(): Promise<void>;
}

/** Cheap hashing for tests: argon2id still, at a cost a test suite can afford. The
 *  production default is untouched (and production refuses anything below it). */
const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  PASSWORD_HASH_MEMORY_KIB: '1024',
  PASSWORD_HASH_TIME_COST: '1',
  COOKIE_SECURE: 'false',
  // Every test request comes from one address: limits generous enough that ordinary
  // suites never meet them. Tests of the limits themselves pass small ones in `env`.
  LOGIN_IP_LIMIT: '100000',
  LOGIN_ACCOUNT_LIMIT: '100000',
  LOCKOUT_THRESHOLD: '100000',
  REGISTER_IP_LIMIT: '100000',
  PASSWORD_CHANGE_LIMIT: '100000',
  PASSWORD_CHECK_ACCOUNT_LIMIT: '100000',
  PASSWORD_CHECK_IP_LIMIT: '100000',
  HASH_QUEUE_PER_ACCOUNT: '100000',
  HASH_QUEUE_PER_IP: '100000',
  SESSION_MAX_PER_USER: '100000',
};

/** The databases a suite should run against: SQLite always, and PostgreSQL too when
 *  TEST_DATABASE_URL is set. Use with `describe.each(testDatabases())`. */
export function testDatabases(): Array<{ name: 'sqlite' | 'postgres'; databaseUrl: string }> {
  const pg = process.env.TEST_DATABASE_URL;
  return [{ name: 'sqlite', databaseUrl: 'sqlite::memory:' }, ...(pg ? [{ name: 'postgres' as const, databaseUrl: pg }] : [])];
}

let counter = 0;
const uniqueEmail = () => `user-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}@example.test`;

async function createSchema(url: string): Promise<{ schema: string; drop: () => Promise<void> }> {
  const { Client } = await import('pg');
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    schema,
    drop: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const databaseUrl = options.databaseUrl ?? 'sqlite::memory:';
  const env: Record<string, string> = {
    ...TEST_ENV,
    REDIS_URL: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    ...options.env,
    REDIS_PREFIX: prefix,
    DATABASE_URL: databaseUrl,
  };
  if (options.captureLogs && !options.env?.LOG_LEVEL) env.LOG_LEVEL = 'info';
  const config = loadConfig(env);

  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger(config.logLevel, options.captureLogs ? sink : undefined);

  const pgSchema = databaseUrl.startsWith('postgres') && options.isolateDatabase !== false ? await createSchema(databaseUrl) : undefined;
  const infra = await connectInfrastructure(config, logger, pgSchema ? { schema: pgSchema.schema } : {});
  const { app, services } = createApp(infra);
  const handler = withMeFastPath(app, { services, config, logger });

  const kit: TestApp = {
    app,
    handler,
    config,
    services,
    infra,
    prefix,
    agent: () => request.agent(handler),

    async createUser(input = {}) {
      const email = (input.email ?? uniqueEmail()).trim().toLowerCase();
      const password = input.password ?? `pw-${randomBytes(9).toString('base64url')}`;
      const passwordHash = await infra.hasher.hash(password);
      const user = await services.users.create({ email, name: input.name ?? null, passwordHash, role: input.role ?? 'user' });
      if (user === 'email_taken') throw new Error(`test kit: ${email} exists already`);
      return { user, email, password };
    },

    async signedInAgent(input = {}) {
      const who = 'user' in input && 'password' in input && 'email' in input ? input : await kit.createUser(input);
      const agent = request.agent(handler);
      const res = await agent.post('/api/auth/login').send({ email: who.email, password: who.password });
      if (res.status !== 200) throw new Error(`test kit: login failed with ${res.status} ${JSON.stringify(res.body)}`);
      return { ...who, agent, publicUser: (res.body as UserResponse).user };
    },

    logs: () => lines.join(''),

    async close() {
      if (infra.redis.isReady) {
        for await (const keys of infra.redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
          if (keys.length) await infra.redis.del(keys);
        }
      }
      await closeInfrastructure(infra);
      await pgSchema?.drop();
    },
  };
  return kit;
}
