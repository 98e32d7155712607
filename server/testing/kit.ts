/**
 * The Cloakroom test kit: the API as production serves it, with its own Redis prefix and
 * database, for supertest suites and typed-client tests.
 *
 * Every app gets its own Redis key prefix and a fresh database (in-memory SQLite, or a
 * schema of its own on PostgreSQL when TEST_DATABASE_URL is set), so suites can run in
 * parallel against the same Redis and PostgreSQL without touching each other's data.
 * Every answer it gives is checked against the OpenAPI document it serves (contract.ts).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { API_ROUTES, createApiClient, type ApiClient, type PublicUser, type UserResponse } from '@cloakroom/shared';
import {
  closeInfrastructure,
  connectInfrastructure,
  createApp,
  createLogger,
  loadConfig,
  scanKeys,
  type ApiHandler,
  type Config,
  type Infrastructure,
  type Role,
  type Services,
  type UserRow,
} from '@cloakroom/server';
import { browserFetch, type BrowserFetch } from './browser-fetch';
import { closeServer, listenOn } from './helpers';
import { createSchema, whileNoSchemaIsDropped } from './pg-schemas';
import { createMailCatcher, type CaughtMail, type MailCatcher } from './mail-catcher';
import { checkAgainstContract, contractCheckFor } from './violations';
import { recording } from './recorder';

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
  /** The SMTP server the app sends to. Default: a catcher of the app's own, stopped by
   *  close(); pass one to share it (close() then leaves it running). Ignored when `env`
   *  sets SMTP_URL or MAIL_TRANSPORT. */
  mailCatcher?: MailCatcher;
  /** Told the text of every SQL statement the app runs (to count queries). */
  onQuery?: (sql: string) => void;
  /** Another instance of that app: the same Redis prefix, session secret and database
   *  (which must then be a file or PostgreSQL, not `sqlite::memory:`). close() leaves
   *  the shared data to that app's own close(). */
  shareWith?: TestApp;
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
  /** What production serves (createApp's handler: Express behind the GET /api/me fast
   *  path), with every answer checked against the OpenAPI document. Agents use it; pass it
   *  to supertest or http.createServer. */
  handler: ApiHandler;
  /** The same handler as `handler` (the name older suites use). */
  app: ApiHandler;
  config: Config;
  services: Services;
  infra: Infrastructure;
  /** This app's Redis key prefix; everything it writes starts with it. */
  prefix: string;
  /** PostgreSQL: the schema this app's tables live in, when it has one of its own. */
  schema: string | undefined;
  /** A fresh supertest agent with its own cookie jar. */
  agent(): TestAgent;
  /** The handler listening on 127.0.0.1 (started on first call, stopped by close()):
   *  its base URL, for clients that need a real address. */
  listen(): Promise<string>;
  /** The typed API client (@cloakroom/shared) against this app over HTTP, with a
   *  browser-like cookie jar of its own (`fetch.cookies()`); `origin` is sent as Origin. */
  client(options?: { origin?: string }): Promise<{ api: ApiClient; fetch: BrowserFetch }>;
  /** Creates a user directly in the database (no HTTP, no rate limits). */
  createUser(input?: TestUserInput): Promise<TestUser>;
  /** Creates a user (or takes the given one) and signs in through POST /api/auth/login,
   *  returning an agent whose cookie jar holds the real session cookie. */
  signedInAgent(input?: TestUserInput | TestUser): Promise<TestUser & { agent: TestAgent; publicUser: PublicUser }>;
  /** Log lines written so far (only with `captureLogs`). */
  logs(): string;
  /** The real SMTP server this app mails to (undefined when `env` chose another). */
  mailCatcher: MailCatcher | undefined;
  /** Every mail the app has sent so far, parsed (subject, text, links, token). */
  mails(): CaughtMail[];
  /** The newest mail to `to`, waiting up to 10 s for one (see MailCatcher.lastMail). */
  lastMail(to: string, options?: { timeoutMs?: number; after?: number }): Promise<CaughtMail>;
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
  PASSKEY_LOGIN_IP_LIMIT: '100000',
  PASSWORD_CHANGE_LIMIT: '100000',
  PASSWORD_CHECK_ACCOUNT_LIMIT: '100000',
  PASSWORD_CHECK_IP_LIMIT: '100000',
  HASH_QUEUE_PER_ACCOUNT: '100000',
  HASH_QUEUE_PER_IP: '100000',
  SESSION_MAX_PER_USER: '100000',
  FORGOT_IP_LIMIT: '100000',
  FORGOT_EMAIL_LIMIT: '100000',
  TOKEN_IP_LIMIT: '100000',
  VERIFY_RESEND_LIMIT: '100000',
  EMAIL_CHANGE_LIMIT: '100000',
  // Mail: sent at once; a failed attempt is retried within a second or two.
  MAIL_POLL_INTERVAL_MS: '200',
  MAIL_RETRY_DELAY: '0.2',
  MAIL_RETRY_MAX_DELAY: '1',
  SMTP_TIMEOUT_MS: '3000',
};

/** The databases a suite should run against: SQLite always, and PostgreSQL too when
 *  TEST_DATABASE_URL is set. Use with `describe.each(testDatabases())`. */
export function testDatabases(): Array<{ name: 'sqlite' | 'postgres'; databaseUrl: string }> {
  const pg = process.env.TEST_DATABASE_URL;
  return [{ name: 'sqlite', databaseUrl: 'sqlite::memory:' }, ...(pg ? [{ name: 'postgres' as const, databaseUrl: pg }] : [])];
}

let counter = 0;
const uniqueEmail = () => `user-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}@example.test`;

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const shared = options.shareWith;
  const prefix = shared?.prefix ?? `test:${randomBytes(6).toString('hex')}:`;
  const databaseUrl = shared?.config.databaseUrl ?? options.databaseUrl ?? 'sqlite::memory:';
  if (databaseUrl === 'sqlite::memory:' && shared) throw new Error('test kit: shareWith needs a database in a file or PostgreSQL');
  // A suite that names a Sentinel set or a Cluster uses it instead of the default Redis.
  const topology = options.env?.REDIS_SENTINELS !== undefined || options.env?.REDIS_CLUSTER_NODES !== undefined;
  // A second instance of an app mails the same catcher as the first.
  const ownSmtp = !options.env?.SMTP_URL && !options.env?.MAIL_TRANSPORT;
  const given = options.mailCatcher ?? shared?.mailCatcher;
  const ownCatcher = ownSmtp && !given;
  const catcher = ownSmtp ? (given ?? (await createMailCatcher())) : undefined;
  const env: Record<string, string> = {
    ...TEST_ENV,
    ...(topology ? {} : { REDIS_URL: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }),
    SESSION_SECRET: shared ? shared.config.session.secrets.join(',') : randomBytes(32).toString('base64url'),
    ...(catcher ? { SMTP_URL: catcher.url } : {}),
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

  const pgSchema = databaseUrl.startsWith('postgres') && options.isolateDatabase !== false && !shared ? await createSchema(databaseUrl) : undefined;
  const schema = pgSchema?.schema ?? shared?.schema;
  const connect = () =>
    connectInfrastructure(config, logger, {
      ...(schema ? { schema } : {}),
      ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    });
  let infra: Infrastructure;
  try {
    infra = databaseUrl.startsWith('postgres') ? await whileNoSchemaIsDropped(databaseUrl, connect) : await connect();
  } catch (err) {
    // A start-up that fails (Redis refused it, say) leaves nothing listening behind, or
    // the test run would never exit after reporting it.
    if (ownCatcher) await catcher?.stop();
    await pgSchema?.drop();
    throw err;
  }
  const api = createApp(infra);
  const { services } = api;
  services.outbox.start();
  // The document as the API serves it, fetched through the unchecked handler.
  const served = await request(api.handler).get(API_ROUTES.openApiDocument.path);
  if (served.status !== 200) throw new Error(`test kit: GET ${API_ROUTES.openApiDocument.path} answered ${served.status}`);
  const check = contractCheckFor(served.text);
  const handler: ApiHandler = Object.assign(
    recording(api.handler, (exchange) => checkAgainstContract(check, exchange)),
    { stats: api.handler.stats },
  );

  let server: http.Server | undefined;
  let baseUrl: Promise<string> | undefined;
  const listen = () => (baseUrl ??= listenOn((server = http.createServer(handler))));

  const kit: TestApp = {
    handler,
    app: handler,
    config,
    services,
    infra,
    prefix,
    schema,
    agent: () => request.agent(handler),
    listen,

    async client(options = {}) {
      const fetch = browserFetch(options);
      return { api: createApiClient({ baseUrl: await listen(), fetch, credentials: 'include' }), fetch };
    },

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
      const res = await agent.post(API_ROUTES.login.path).send({ email: who.email, password: who.password });
      if (res.status !== 200) throw new Error(`test kit: login failed with ${res.status} ${JSON.stringify(res.body)}`);
      return { ...who, agent, publicUser: (res.body as UserResponse).user };
    },

    logs: () => lines.join(''),
    mailCatcher: catcher,
    mails: () => catcher?.mails() ?? [],
    lastMail(to, options) {
      if (!catcher) return Promise.reject(new Error('test kit: this app mails elsewhere (env set SMTP_URL or MAIL_TRANSPORT)'));
      return catcher.lastMail(to, options);
    },

    async close() {
      if (server) await closeServer(server);
      await services.outbox.stop();
      if (ownCatcher) await catcher?.stop();
      if (infra.redis.isReady && !shared) {
        // One DEL per key: on a Cluster the keys of one batch live in many slots.
        for await (const keys of scanKeys(infra.redis, `${prefix}*`)) await Promise.all(keys.map((key) => infra.redis.del(key)));
      }
      await closeInfrastructure(infra);
      await pgSchema?.drop();
    },
  };
  return kit;
}
