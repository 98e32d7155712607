import { DEV_SESSION_SECRET, MIN_SECRET_LENGTH } from '@cloakroom/shared';

/** The client's server-side settings, read from the environment once. Every problem is
 *  a ClientConfigError naming the variable, so start-up can fail with one clear line. */

export const DEFAULT_API_INTERNAL_URL = 'http://127.0.0.1:4000';
export const DEFAULT_API_TIMEOUT_MS = 1500;
/** How long the browser's /api requests wait for the API to start answering. Long
 *  enough for a sign-in queued behind others' password hashing (the API itself answers
 *  503 when that queue is full), short enough that a hung API frees the edge quickly. */
export const DEFAULT_API_PROXY_TIMEOUT_MS = 10_000;

export class ClientConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable} ${message}`);
    this.name = 'ClientConfigError';
  }
}

export interface ClientConfig {
  /** Where the page proxy asks /api/me and where /api requests go (server to server),
   *  read at start: a build serves any API address. */
  apiInternalUrl: string;
  /** The page proxy's /api/me deadline. */
  apiTimeoutMs: number;
  /** The /api edge's deadline for the API's answer to start. */
  apiProxyTimeoutMs: number;
  /** The secret the identity-header key is derived from, and where it came from. */
  identitySecret: { value: string; source: 'IDENTITY_HEADER_SECRET' | 'SESSION_SECRET' | 'development' };
  /** Benchmark switch: the proxy skips /api/me and vouches for a fixed benchmark user. */
  gateOff: boolean;
  production: boolean;
  warnings: string[];
}

type Env = Record<string, string | undefined>;

const value = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v ? v : undefined;
};

/** `next start` always runs with NODE_ENV=production, and a production build has it
 *  compiled in; CLOAKROOM_ENV says what the deployment really is (the root `npm start`
 *  passes the API's mode, development unless NODE_ENV says otherwise). */
export function isProductionMode(env: Env, compiledNodeEnv: string | undefined): boolean {
  return (value(env, 'CLOAKROOM_ENV') ?? compiledNodeEnv ?? 'development') === 'production';
}

function apiUrl(env: Env): string {
  const raw = value(env, 'API_INTERNAL_URL') ?? DEFAULT_API_INTERNAL_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ClientConfigError('API_INTERNAL_URL', `must be an http(s) URL like ${DEFAULT_API_INTERNAL_URL} (got "${raw}")`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new ClientConfigError('API_INTERNAL_URL', `must be an http(s) origin without path, like ${DEFAULT_API_INTERNAL_URL} (got "${raw}")`);
  }
  return url.origin;
}

function milliseconds(env: Env, name: string, fallback: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 50 || n > max) throw new ClientConfigError(name, `must be a whole number of milliseconds from 50 to ${max} (got "${raw}")`);
  return n;
}

function identitySecret(env: Env, production: boolean, warnings: string[]): ClientConfig['identitySecret'] {
  const own = value(env, 'IDENTITY_HEADER_SECRET');
  const session = value(env, 'SESSION_SECRET')?.split(',')[0]?.trim() || undefined;
  const chosen =
    own !== undefined
      ? { value: own, source: 'IDENTITY_HEADER_SECRET' as const }
      : session !== undefined
        ? { value: session, source: 'SESSION_SECRET' as const }
        : undefined;
  if (chosen) {
    if (production && chosen.value === DEV_SESSION_SECRET)
      throw new ClientConfigError(chosen.source, 'is the public development secret; production needs a random secret of its own');
    if (production && chosen.value.length < MIN_SECRET_LENGTH)
      throw new ClientConfigError(chosen.source, `must be at least ${MIN_SECRET_LENGTH} characters in production`);
    return chosen;
  }
  if (production) {
    throw new ClientConfigError(
      'IDENTITY_HEADER_SECRET',
      `(or SESSION_SECRET) is required in production: a random secret of at least ${MIN_SECRET_LENGTH} characters that signs the identity headers`,
    );
  }
  warnings.push(
    'IDENTITY_HEADER_SECRET and SESSION_SECRET are unset: identity headers are signed with a key from the public development secret. Never do this in production.',
  );
  return { value: DEV_SESSION_SECRET, source: 'development' };
}

/** PROXY_GATE=off exists for one purpose: benchmarking a page with and without the
 *  /api/me round trip. In production mode it is refused unless the operator also says
 *  PROXY_GATE_OFF_ALLOWED=benchmark, so it cannot be switched on by accident. */
function gate(env: Env, production: boolean, warnings: string[]): boolean {
  const raw = value(env, 'PROXY_GATE') ?? 'on';
  if (raw !== 'on' && raw !== 'off') throw new ClientConfigError('PROXY_GATE', `must be "on" or "off" (got "${raw}")`);
  if (raw === 'on') return false;
  if (production && value(env, 'PROXY_GATE_OFF_ALLOWED') !== 'benchmark') {
    throw new ClientConfigError(
      'PROXY_GATE',
      'is "off", which production refuses: it is for benchmarks only (set PROXY_GATE_OFF_ALLOWED=benchmark on a benchmark machine)',
    );
  }
  warnings.push('PROXY_GATE=off: pages are NOT gated by /api/me; every visitor is shown as the benchmark user. Benchmarks only.');
  return true;
}

export function loadClientConfig(env: Env, compiledNodeEnv: string | undefined): ClientConfig {
  const production = isProductionMode(env, compiledNodeEnv);
  const warnings: string[] = [];
  return {
    apiInternalUrl: apiUrl(env),
    apiTimeoutMs: milliseconds(env, 'API_TIMEOUT_MS', DEFAULT_API_TIMEOUT_MS, 30_000),
    apiProxyTimeoutMs: milliseconds(env, 'API_PROXY_TIMEOUT_MS', DEFAULT_API_PROXY_TIMEOUT_MS, 60_000),
    identitySecret: identitySecret(env, production, warnings),
    gateOff: gate(env, production, warnings),
    production,
    warnings,
  };
}

let cached: ClientConfig | undefined;

/** The process's configuration (read on first use; instrumentation.ts reads it at start
 *  so a bad value stops the server before it serves anything). */
export function clientConfig(): ClientConfig {
  cached ??= loadClientConfig(process.env, process.env.NODE_ENV);
  return cached;
}
