import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { DEV_SESSION_SECRET, MIN_SECRET_LENGTH } from '@cloakroom/shared';
import { ConfigError } from './config-error';
import { redisAccess, redisAccessEnvShape, SECRET_REDIS_VARIABLES, type RedisAccess, type RedisAccessEnv } from './redis-access';
import { accountCeilingReachableFromOneIp, limitsEnvShape, limitsFromEnv, type Limits } from './limits';
import { webauthnConfig, webauthnWarning, type WebAuthnConfig } from './webauthn';

export { DEV_SESSION_SECRET, MIN_SECRET_LENGTH };

/** OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1. */
export const ARGON2_OWASP = { memoryKiB: 19456, timeCost: 2, parallelism: 1 } as const;

export { ConfigError };

const seconds = (fallback: number) =>
  z.coerce.number({ error: 'must be a number of seconds' }).positive({ error: 'must be a positive number of seconds' }).default(fallback);

const bool = (fallback?: boolean) =>
  z
    .enum(['true', 'false'], { error: 'must be "true" or "false"' })
    .transform((v) => v === 'true')
    .optional()
    .transform((v) => v ?? fallback);

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

const origin = z.string().refine(isOrigin, {
  error: 'must be an origin like https://app.example.com (scheme, host and port only, no trailing slash)',
});

/** A comma-separated list (empty when unset), items trimmed. */
const commaList = () =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

const originList = commaList().pipe(z.array(origin));

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int({ error: 'must be a port number' })
    .min(0, { error: 'must be a port number (0-65535)' })
    .max(65535, { error: 'must be a port number (0-65535)' })
    .default(fallback);

const positiveInt = (fallback: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).positive({ error: 'must be positive' }).default(fallback);

export type TrustProxy = false | number | string[];

/** Express's trust-proxy forms: a hop count, or names (loopback, linklocal,
 *  uniquelocal), addresses and subnets. `true` (trust everyone) is refused because it
 *  lets any client choose its own address for rate limits. */
function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true')
    throw new ConfigError(
      'TRUST_PROXY',
      'must name the proxies to trust (loopback, a hop count, addresses or subnets); "true" would let any client spoof its address',
    );
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    proxyAddr.compile(list);
  } catch {
    throw new ConfigError('TRUST_PROXY', `must be loopback, linklocal, uniquelocal, a hop count, or IP addresses/subnets (got "${value}")`);
  }
  return list;
}

/** `host:port,host:port,…` (Sentinels or Cluster nodes). */
const hostList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[^\s:,]+:\d{1,5}$/, { error: 'must list host:port pairs separated by commas' })
          .transform((hp) => ({ host: hp.slice(0, hp.lastIndexOf(':')), port: Number(hp.slice(hp.lastIndexOf(':') + 1)) })),
      )
      .min(1, { error: 'must list at least one host:port' }),
  );

/** Which Redis the API talks to: one server, a master watched by Sentinels, or a Cluster. */
export type RedisTopology = (
  | { kind: 'single'; url: string }
  | { kind: 'sentinel'; sentinels: Array<{ host: string; port: number }>; name: string }
  | { kind: 'cluster'; nodes: Array<{ host: string; port: number }> }
) & {
  /** Credentials and TLS beyond the URL's (config/redis-access.ts); absent when none is set. */
  access?: RedisAccess;
};

/** Exactly one of REDIS_URL, REDIS_SENTINELS (with REDIS_SENTINEL_NAME) and
 *  REDIS_CLUSTER_NODES may be set; none means the local default REDIS_URL. */
function redisTopology(
  e: { REDIS_URL: string; REDIS_SENTINELS?: RedisNodes; REDIS_SENTINEL_NAME?: string; REDIS_CLUSTER_NODES?: RedisNodes } & RedisAccessEnv,
  source: NodeJS.ProcessEnv,
): RedisTopology {
  const topology = redisEndpoints(e, source);
  const access = redisAccess(e, topology);
  return access ? { ...topology, access } : topology;
}

function redisEndpoints(
  e: { REDIS_URL: string; REDIS_SENTINELS?: RedisNodes; REDIS_SENTINEL_NAME?: string; REDIS_CLUSTER_NODES?: RedisNodes },
  source: NodeJS.ProcessEnv,
): RedisTopology {
  const set = [source.REDIS_URL !== undefined && 'REDIS_URL', e.REDIS_SENTINELS && 'REDIS_SENTINELS', e.REDIS_CLUSTER_NODES && 'REDIS_CLUSTER_NODES'].filter(
    Boolean,
  );
  if (set.length > 1)
    throw new ConfigError(
      set[1] as string,
      `and ${set[0]} are both set: choose one Redis (REDIS_URL, REDIS_SENTINELS with REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES)`,
    );
  if (e.REDIS_SENTINELS) {
    if (!e.REDIS_SENTINEL_NAME) throw new ConfigError('REDIS_SENTINEL_NAME', 'must be set with REDIS_SENTINELS (the name of the master the Sentinels watch)');
    return { kind: 'sentinel', sentinels: e.REDIS_SENTINELS, name: e.REDIS_SENTINEL_NAME };
  }
  if (e.REDIS_SENTINEL_NAME) throw new ConfigError('REDIS_SENTINEL_NAME', 'is set without REDIS_SENTINELS (host:port of the Sentinels)');
  if (e.REDIS_CLUSTER_NODES) return { kind: 'cluster', nodes: e.REDIS_CLUSTER_NODES };
  return { kind: 'single', url: e.REDIS_URL };
}

type RedisNodes = Array<{ host: string; port: number }>;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
  PORT: port(4000),
  // The web client's port: APP_ORIGIN follows it unless set (`npm run dev`/`npm start`
  // serve the client there).
  WEB_PORT: port(3000),
  HOST: z.string().optional(),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\//.test(v), { error: 'must be a redis:// or rediss:// URL' }),
  REDIS_SENTINELS: hostList.optional(),
  REDIS_SENTINEL_NAME: z.string().min(1, { error: 'must name the master the Sentinels watch' }).optional(),
  REDIS_CLUSTER_NODES: hostList.optional(),
  ...redisAccessEnvShape,
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]*$/, { error: 'may contain only letters, digits, ":", "_" and "-"' })
    .default('cloakroom:'),
  REDIS_TIMEOUT_MS: positiveInt(1000),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/cloakroom.db')
    .refine((v) => v.startsWith('sqlite:') || /^postgres(ql)?:\/\//.test(v), { error: 'must be sqlite:<path>, sqlite::memory: or postgres://…' }),
  // PostgreSQL only: connections per API process (N instances hold up to N × this), and
  // how long one statement may run before the server cancels it (503 to the client).
  DATABASE_POOL_MAX: positiveInt(10),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(5000),
  SESSION_SECRET: z.string().optional(),
  SESSION_IDLE_TIMEOUT: seconds(86_400),
  SESSION_ABSOLUTE_TIMEOUT: seconds(604_800),
  SESSION_TOUCH_INTERVAL: z.coerce.number({ error: 'must be a number of seconds' }).nonnegative({ error: 'must be zero or more seconds' }).optional(),
  SESSION_MAX_PER_USER: positiveInt(100),
  DEVICE_COOKIE_DAYS: positiveInt(180),
  CORS_ORIGINS: originList,
  // The client's own origin; unset, it is where `npm run dev`/`npm start` serve the
  // client (http://localhost:WEB_PORT), so state-changing requests from it pass the CSRF
  // origin check out of the box.
  APP_ORIGIN: origin.optional(),
  COOKIE_SECURE: bool(),
  COOKIE_SAMESITE: z.enum(['lax', 'strict', 'none'], { error: 'must be lax, strict or none' }).default('lax'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' })
    .default('info'),
  PASSWORD_HASH_MEMORY_KIB: positiveInt(ARGON2_OWASP.memoryKiB),
  PASSWORD_HASH_TIME_COST: positiveInt(ARGON2_OWASP.timeCost),
  PASSWORD_HASH_PARALLELISM: positiveInt(ARGON2_OWASP.parallelism),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  SHUTDOWN_DRAIN_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int()
    .nonnegative({ error: 'must be zero or more milliseconds' })
    .default(0),
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/[^/]/.test(v), { error: 'must be an smtp:// or smtps:// URL, like smtp://user:pass@mail.example.com:587' })
    .optional(),
  MAIL_FROM: z.string().min(3).default('Cloakroom <no-reply@localhost>'),
  MAIL_TRANSPORT: z.enum(['smtp', 'log'], { error: 'must be smtp or log' }).optional(),
  SMTP_TIMEOUT_MS: positiveInt(10_000),
  MAIL_RETRY_DELAY: seconds(30),
  MAIL_RETRY_MAX_DELAY: seconds(3600),
  MAIL_MAX_ATTEMPTS: positiveInt(12),
  MAIL_POLL_INTERVAL_MS: positiveInt(2000),
  RESET_TOKEN_TTL: seconds(1800),
  VERIFY_TOKEN_TTL: seconds(86_400),
  REQUIRE_EMAIL_VERIFICATION: bool(false),
  // Passkeys (config/webauthn.ts): unset, both follow APP_ORIGIN.
  WEBAUTHN_RP_ID: z
    .string()
    .regex(/^[a-z0-9.-]+$/, { error: 'must be a host name such as example.com (lower case, no scheme or port)' })
    .optional(),
  WEBAUTHN_ORIGINS: originList,
  WEBAUTHN_RP_NAME: z.string().max(64, { error: 'must be at most 64 characters' }).default('Cloakroom'),
  DATA_ENCRYPTION_KEY: z.string().optional(),
  REAUTH_WINDOW: seconds(600),
  REQUIRE_2FA_FOR_ROLES: commaList().pipe(z.array(z.enum(['user', 'admin'], { error: 'must list roles (user, admin), comma-separated' }))),
  TOTP_ISSUER: z.string().trim().min(1).max(64).default('Cloakroom'),
  ...limitsEnvShape,
});

/** Every environment variable the configuration reads (docker-compose.yml is checked
 *  against this list, so a misspelt variable there cannot be silently ignored). */
export const CONFIG_VARIABLES: readonly string[] = [...Object.keys(envSchema.shape), 'TRUST_PROXY'];

export interface DatabasePool {
  max: number;
  statementTimeoutMs: number;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string | undefined;
  /** `url`: REDIS_URL (single topology), or a description of the other topologies for
   *  messages (it holds no secret). */
  redis: { url: string; topology: RedisTopology; prefix: string; timeoutMs: number };
  databaseUrl: string;
  /** PostgreSQL's connection pool (SQLite has one connection and ignores it). */
  databasePool: DatabasePool;
  session: {
    /** First signs, all verify: rotate by prepending a new secret. */
    secrets: [string, ...string[]];
    idleTimeoutMs: number;
    absoluteTimeoutMs: number;
    /** Reads within this interval of the last write do not write again. */
    touchIntervalMs: number;
    /** Sessions one account may hold; a new one beyond this ends the least recently used. */
    maxPerUser: number;
  };
  /** How long a browser that signed in to an account stays known to it (device cookie). */
  deviceTrustMs: number;
  cookie: { secure: boolean; sameSite: 'lax' | 'strict' | 'none' };
  cors: { origins: string[] };
  appOrigin: string;
  /** Passkeys: the relying party's ID and name, and the origins a ceremony may come from. */
  webauthn: WebAuthnConfig;
  /** Rate limits and lockout (config/limits.ts). */
  limits: Limits;
  trustProxy: TrustProxy;
  logLevel: string;
  passwordHash: { memoryKiB: number; timeCost: number; parallelism: number };
  shutdownTimeoutMs: number;
  /** After SIGTERM, how long /readyz says 503 while requests are still served, before
   *  the listener closes: enough for a load balancer's health checks to take the
   *  instance out of the pool (SHUTDOWN_DRAIN_MS). */
  shutdownDrainMs: number;
  mail: MailConfig;
  /** Lifetimes of the tokens in mailed links. */
  tokens: { resetMs: number; verifyMs: number };
  /** A right password on an unverified account answers 403 email_unverified. */
  requireEmailVerification: boolean;
  /** The second factor and step-up (DESIGN.md "Second factor and step-up"). */
  mfa: {
    /** DATA_ENCRYPTION_KEY: first encrypts, all decrypt. Empty in production without
     *  one: nobody can set up a second factor, and the start is refused once anyone has. */
    encryptionKeys: string[];
    reauthWindowMs: number;
    requiredForRoles: Array<'user' | 'admin'>;
    issuer: string;
  };
  /** Messages to log once the logger exists (for example the dev-secret warning). */
  warnings: string[];
}

export interface MailConfig {
  /** `smtp`: nodemailer to `smtpUrl`; `log`: each mail is written to the log, link and all
   *  (development without SMTP, or production that says so explicitly). */
  transport: 'smtp' | 'log';
  smtpUrl: string | undefined;
  from: string;
  /** Connection, greeting and socket timeout of one SMTP attempt. */
  timeoutMs: number;
  /** Retry backoff: the first delay, doubled per attempt up to the maximum. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts before a mail is given up (logged as an error). */
  maxAttempts: number;
  /** How often the outbox looks for mails due (new mails are sent at once). */
  pollIntervalMs: number;
}

function mailConfig(
  e: Pick<
    z.output<typeof envSchema>,
    | 'NODE_ENV'
    | 'SMTP_URL'
    | 'MAIL_FROM'
    | 'MAIL_TRANSPORT'
    | 'SMTP_TIMEOUT_MS'
    | 'MAIL_RETRY_DELAY'
    | 'MAIL_RETRY_MAX_DELAY'
    | 'MAIL_MAX_ATTEMPTS'
    | 'MAIL_POLL_INTERVAL_MS'
  >,
  warnings: string[],
): MailConfig {
  const transport = e.MAIL_TRANSPORT ?? (e.SMTP_URL ? 'smtp' : e.NODE_ENV === 'production' ? undefined : 'log');
  if (transport === undefined)
    throw new ConfigError(
      'SMTP_URL',
      'is required in production (smtp://user:pass@host:587 or smtps://…); set MAIL_TRANSPORT=log to write mails, links and all, to the log instead',
    );
  if (transport === 'smtp' && !e.SMTP_URL) throw new ConfigError('SMTP_URL', 'is required with MAIL_TRANSPORT=smtp');
  if (transport === 'log' && e.NODE_ENV === 'production')
    warnings.push('MAIL_TRANSPORT=log in production: password reset and verification links are written to the log, not mailed.');
  return {
    transport,
    smtpUrl: transport === 'smtp' ? e.SMTP_URL : undefined,
    from: e.MAIL_FROM,
    timeoutMs: e.SMTP_TIMEOUT_MS,
    retryBaseMs: e.MAIL_RETRY_DELAY * 1000,
    retryMaxMs: Math.max(e.MAIL_RETRY_MAX_DELAY, e.MAIL_RETRY_DELAY) * 1000,
    maxAttempts: e.MAIL_MAX_ATTEMPTS,
    pollIntervalMs: e.MAIL_POLL_INTERVAL_MS,
  };
}

function parseSecrets(raw: string | undefined, env: Config['env'], warnings: string[]): [string, ...string[]] {
  const secrets = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (env === 'production') {
    if (secrets.length === 0)
      throw new ConfigError(
        'SESSION_SECRET',
        `is required in production: a comma-separated list of random secrets of at least ${MIN_SECRET_LENGTH} characters`,
      );
    if (secrets.some((s) => s === DEV_SESSION_SECRET))
      throw new ConfigError('SESSION_SECRET', 'is the development secret; production needs a random secret of its own');
    if (secrets.some((s) => s.length < MIN_SECRET_LENGTH))
      throw new ConfigError('SESSION_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters per secret in production`);
  }
  if (secrets.length === 0) {
    warnings.push('SESSION_SECRET is not set: using the fixed development secret. Never do this in production.');
    return [DEV_SESSION_SECRET];
  }
  return secrets as [string, ...string[]];
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The development key encrypts second-factor secrets when DATA_ENCRYPTION_KEY is unset
 *  outside production: it is public, so such secrets are as good as plain text. */
export const DEV_DATA_ENCRYPTION_KEY = 'cloakroom-development-data-key-never-use-in-production';

function parseEncryptionKeys(raw: string | undefined, env: Config['env']): string[] {
  const keys = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (keys.some((k) => k.length < MIN_SECRET_LENGTH))
    throw new ConfigError('DATA_ENCRYPTION_KEY', `must be at least ${MIN_SECRET_LENGTH} characters per key (a comma-separated list, newest first)`);
  if (env === 'production' && keys.includes(DEV_DATA_ENCRYPTION_KEY))
    throw new ConfigError('DATA_ENCRYPTION_KEY', 'is the development key; production needs a random key of its own');
  // Outside production the development key stands in (documented in configuration.md),
  // as the development session secret does; production has none unless configured.
  if (keys.length > 0 || env === 'production') return keys;
  return [DEV_DATA_ENCRYPTION_KEY];
}

/** Where to listen. The development secret is public (it is in the repository): anyone
 *  who can reach a process signing with it can sign cookies it accepts. Such a process
 *  listens on loopback only unless HOST says otherwise, and then it says so loudly. */
function listenHost(host: string | undefined, secrets: readonly string[], warnings: string[]): string | undefined {
  if (!secrets.includes(DEV_SESSION_SECRET)) return host;
  if (host === undefined) return '127.0.0.1';
  if (!isLoopback(host)) {
    warnings.push(
      `Signing with the public development secret while listening on HOST=${host}: anyone who can reach this port can sign cookies the API accepts. Set SESSION_SECRET before exposing the API.`,
    );
  }
  return host;
}

/** Parses the variables `schema` knows, or throws ConfigError naming the first bad one. */
function parseEnv<S extends z.ZodObject>(schema: S, source: NodeJS.ProcessEnv): z.output<S> {
  // Empty strings mean "unset", as in a docker-compose `VAR:` with no value.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    // Echo the bad value to help, but never a password inside a connection URL.
    const got = SECRET_REDIS_VARIABLES.includes(variable) ? undefined : cleaned[variable]?.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1:***@');
    throw new ConfigError(variable, `${issue.message}${got === undefined ? '' : ` (got "${got}")`}`);
  }
  return parsed.data;
}

type HashEnv = Pick<z.output<typeof envSchema>, 'NODE_ENV' | 'PASSWORD_HASH_MEMORY_KIB' | 'PASSWORD_HASH_TIME_COST' | 'PASSWORD_HASH_PARALLELISM'>;

function passwordHashParams(e: HashEnv): Config['passwordHash'] {
  const passwordHash = {
    memoryKiB: e.PASSWORD_HASH_MEMORY_KIB,
    timeCost: e.PASSWORD_HASH_TIME_COST,
    parallelism: e.PASSWORD_HASH_PARALLELISM,
  };
  if (e.NODE_ENV === 'production' && (passwordHash.memoryKiB < ARGON2_OWASP.memoryKiB || passwordHash.timeCost < ARGON2_OWASP.timeCost)) {
    throw new ConfigError(
      'PASSWORD_HASH_MEMORY_KIB',
      `and PASSWORD_HASH_TIME_COST may not go below OWASP's argon2id minimum (m=${ARGON2_OWASP.memoryKiB}, t=${ARGON2_OWASP.timeCost}) in production`,
    );
  }
  return passwordHash;
}

/** What the command-line tools (user:create, db:migrate) need: the database and the
 *  password hashing cost, validated exactly as the server validates them. They need no
 *  Redis and no session secret, so neither is read. */
export function loadDatabaseConfig(source: NodeJS.ProcessEnv = process.env): Pick<Config, 'env' | 'databaseUrl' | 'databasePool' | 'passwordHash'> {
  const e = parseEnv(
    envSchema.pick({
      NODE_ENV: true,
      DATABASE_URL: true,
      DATABASE_POOL_MAX: true,
      DATABASE_STATEMENT_TIMEOUT_MS: true,
      PASSWORD_HASH_MEMORY_KIB: true,
      PASSWORD_HASH_TIME_COST: true,
      PASSWORD_HASH_PARALLELISM: true,
    }),
    source,
  );
  return { env: e.NODE_ENV, databaseUrl: e.DATABASE_URL, databasePool: databasePool(e), passwordHash: passwordHashParams(e) };
}

function databasePool(e: { DATABASE_POOL_MAX: number; DATABASE_STATEMENT_TIMEOUT_MS: number }): DatabasePool {
  return { max: e.DATABASE_POOL_MAX, statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS };
}

function redisDescription(t: RedisTopology): string {
  const list = (nodes: RedisNodes) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (t.kind === 'single') return t.url;
  return t.kind === 'sentinel' ? `sentinel://${list(t.sentinels)}/${t.name}` : `cluster://${list(t.nodes)}`;
}

/** The Redis the command-line tools that touch users' Redis records (user:create,
 *  user-records:drop) share with the API, validated exactly as the server validates it. */
export function loadRedisConfig(source: NodeJS.ProcessEnv = process.env): Pick<Config, 'redis'> {
  const e = parseEnv(
    envSchema.pick({
      REDIS_URL: true,
      REDIS_SENTINELS: true,
      REDIS_SENTINEL_NAME: true,
      REDIS_CLUSTER_NODES: true,
      ...(Object.fromEntries(Object.keys(redisAccessEnvShape).map((k) => [k, true])) as { [K in keyof typeof redisAccessEnvShape]: true }),
      REDIS_PREFIX: true,
      REDIS_TIMEOUT_MS: true,
    }),
    source,
  );
  const topology = redisTopology(e, source);
  return { redis: { url: redisDescription(topology), topology, prefix: e.REDIS_PREFIX, timeoutMs: e.REDIS_TIMEOUT_MS } };
}

/** Parses the environment once, at start. Throws ConfigError naming the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(envSchema, source);
  const warnings: string[] = [];
  const secrets = parseSecrets(e.SESSION_SECRET, e.NODE_ENV, warnings);
  const limits = limitsFromEnv(e);
  if (accountCeilingReachableFromOneIp(limits)) {
    warnings.push(
      'LOGIN_ACCOUNT_LIMIT is low enough for a single address to reach it through the lockout backoff: one attacker could then lock everyone out of an account. Raise it or the LOCKOUT_* delays.',
    );
  }
  const trustProxy = parseTrustProxy(source.TRUST_PROXY);
  const topology = redisTopology(e, source);

  const secure = e.COOKIE_SECURE ?? e.NODE_ENV === 'production';
  // The API speaks plain HTTP; only a TLS proxy it trusts can make a request secure.
  // Without one, express-session never sets a Secure cookie: every sign-in "works" and
  // the browser is signed out on its next request.
  if (secure && trustProxy === false) {
    warnings.push(
      'COOKIE_SECURE=true, but no request can be secure: the API serves plain HTTP and TRUST_PROXY is unset, so no session cookie will ever be set. Put a TLS-terminating proxy in front and set TRUST_PROXY, or set COOKIE_SECURE=false for local HTTP.',
    );
  }
  if (e.COOKIE_SAMESITE === 'none' && !secure) {
    throw new ConfigError('COOKIE_SAMESITE', 'can be "none" only with COOKIE_SECURE=true (browsers drop SameSite=None cookies that are not Secure)');
  }

  const idleTimeoutMs = e.SESSION_IDLE_TIMEOUT * 1000;
  const absoluteTimeoutMs = e.SESSION_ABSOLUTE_TIMEOUT * 1000;
  if (idleTimeoutMs > absoluteTimeoutMs) {
    throw new ConfigError('SESSION_IDLE_TIMEOUT', `must not exceed SESSION_ABSOLUTE_TIMEOUT (${e.SESSION_ABSOLUTE_TIMEOUT} s)`);
  }
  // Throttle: at most one write a minute, and never so coarse that idle expiry drifts
  // by more than a tenth of the idle timeout.
  const touchIntervalMs = e.SESSION_TOUCH_INTERVAL !== undefined ? e.SESSION_TOUCH_INTERVAL * 1000 : Math.min(60_000, idleTimeoutMs / 10);

  const passwordHash = passwordHashParams(e);
  const appOrigin = e.APP_ORIGIN ?? `http://localhost:${e.WEB_PORT}`;
  const webauthn = webauthnConfig({ rpId: e.WEBAUTHN_RP_ID, origins: e.WEBAUTHN_ORIGINS, rpName: e.WEBAUTHN_RP_NAME }, appOrigin);
  if ('problem' in webauthn) throw new ConfigError(webauthn.variable, webauthn.problem);
  const passkeyWarning = webauthnWarning(webauthn);
  if (passkeyWarning) warnings.push(passkeyWarning);

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: listenHost(e.HOST, secrets, warnings),
    redis: { url: redisDescription(topology), topology, prefix: e.REDIS_PREFIX, timeoutMs: e.REDIS_TIMEOUT_MS },
    databaseUrl: e.DATABASE_URL,
    databasePool: databasePool(e),
    session: { secrets, idleTimeoutMs, absoluteTimeoutMs, touchIntervalMs, maxPerUser: e.SESSION_MAX_PER_USER },
    deviceTrustMs: e.DEVICE_COOKIE_DAYS * 86_400_000,
    cookie: { secure, sameSite: e.COOKIE_SAMESITE },
    cors: { origins: e.CORS_ORIGINS },
    appOrigin,
    webauthn,
    limits,
    trustProxy,
    logLevel: e.LOG_LEVEL,
    passwordHash,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    mail: mailConfig(e, warnings),
    tokens: { resetMs: e.RESET_TOKEN_TTL * 1000, verifyMs: e.VERIFY_TOKEN_TTL * 1000 },
    requireEmailVerification: e.REQUIRE_EMAIL_VERIFICATION ?? false,
    mfa: {
      encryptionKeys: parseEncryptionKeys(e.DATA_ENCRYPTION_KEY, e.NODE_ENV),
      reauthWindowMs: e.REAUTH_WINDOW * 1000,
      requiredForRoles: e.REQUIRE_2FA_FOR_ROLES,
      issuer: e.TOTP_ISSUER,
    },
    warnings,
  };
}
