/** Configuration from the environment: the defaults the issue lists, one clear line
 *  naming the variable for every bad value, and production's refusal of a weak secret. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEV_SESSION_SECRET } from '@cloakroom/shared';
import { ARGON2_OWASP, CONFIG_VARIABLES, ConfigError, loadConfig, loadDatabaseConfig } from '../../src/config/env';
import { ROOT } from '../helpers/processes';

const SECRET = 'k'.repeat(16) + '-a-production-secret-' + 'q'.repeat(16);
/** Production needs a mail server (mail/mail-config.test.ts). */
const SMTP = 'smtp://mail.example.test:587';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('defaults', () => {
  test('with nothing set (development)', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 4000,
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'cloakroom:', timeoutMs: 1000 },
      databaseUrl: 'sqlite:./data/cloakroom.db',
      session: { secrets: [DEV_SESSION_SECRET], idleTimeoutMs: 86_400_000, absoluteTimeoutMs: 604_800_000, touchIntervalMs: 60_000 },
      cookie: { secure: false, sameSite: 'lax' },
      cors: { origins: [] },
      appOrigin: 'http://localhost:3000',
      trustProxy: false,
      logLevel: 'info',
      passwordHash: ARGON2_OWASP,
    });
    // The fixed development secret is used, with a warning.
    expect(config.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/SESSION_SECRET is not set/)]));
  });

  test('in production the cookie is Secure unless COOKIE_SECURE=false', () => {
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, SMTP_URL: SMTP }).cookie.secure).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, SMTP_URL: SMTP, COOKIE_SECURE: 'false' }).cookie.secure).toBe(false);
    expect(loadConfig({ COOKIE_SECURE: 'true' }).cookie.secure).toBe(true);
  });

  test('the touch interval follows a short idle timeout (a tenth of it), or is set directly', () => {
    expect(loadConfig({ SESSION_IDLE_TIMEOUT: '100' }).session.touchIntervalMs).toBe(10_000);
    expect(loadConfig({ SESSION_TOUCH_INTERVAL: '0' }).session.touchIntervalMs).toBe(0);
    expect(loadConfig({ SESSION_TOUCH_INTERVAL: '2.5' }).session.touchIntervalMs).toBe(2_500);
  });

  test('empty values count as unset (as docker compose passes `VAR:` with no value)', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', COOKIE_SECURE: '' })).toMatchObject({
      port: 4000,
      databaseUrl: 'sqlite:./data/cloakroom.db',
      cookie: { secure: false },
    });
  });
});

describe('the public development secret keeps the API on this machine', () => {
  test('signing with the development secret: loopback only, unless HOST says otherwise (then with a warning)', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ SESSION_SECRET: DEV_SESSION_SECRET }).host).toBe('127.0.0.1');
    const exposed = loadConfig({ HOST: '0.0.0.0' });
    expect(exposed.host).toBe('0.0.0.0');
    expect(exposed.warnings.join('\n')).toMatch(/development secret.*HOST=0\.0\.0\.0/);
    expect(loadConfig({ HOST: '127.0.0.1' }).warnings.join('\n')).not.toMatch(/HOST=/);
  });

  test('with a secret of its own, every interface by default, and no warning', () => {
    const config = loadConfig({ SESSION_SECRET: SECRET });
    expect(config.host).toBeUndefined();
    expect(config.warnings).toEqual([]);
  });
});

describe('values', () => {
  test('SESSION_SECRET is a comma-separated list: the first signs, all verify', () => {
    expect(loadConfig({ SESSION_SECRET: ' new-secret , old-secret ,' }).session.secrets).toEqual(['new-secret', 'old-secret']);
  });

  test.each([
    ['loopback', ['loopback']],
    ['2', 2],
    ['10.0.0.0/8, 192.168.1.1', ['10.0.0.0/8', '192.168.1.1']],
    ['false', false],
  ])('TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  test('APP_ORIGIN follows the web port (WEB_PORT) unless it is set', () => {
    expect(loadConfig({ WEB_PORT: '3100' }).appOrigin).toBe('http://localhost:3100');
    expect(loadConfig({ WEB_PORT: '3100', PORT: '4100' })).toMatchObject({ port: 4100, appOrigin: 'http://localhost:3100' });
    expect(loadConfig({ WEB_PORT: '3100', APP_ORIGIN: 'https://app.example' }).appOrigin).toBe('https://app.example');
  });

  test('URLs and origins', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/app' }).databaseUrl).toBe('postgres://u:p@db:5432/app');
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).databaseUrl).toBe('sqlite::memory:');
    expect(loadConfig({ REDIS_URL: 'rediss://cache:6380/2' }).redis.url).toBe('rediss://cache:6380/2');
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).cors.origins).toEqual(['https://a.example', 'http://localhost:5173']);
  });
});

describe('a bad value stops with one line naming the variable', () => {
  test.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['WEB_PORT', '3000x'],
    ['WEB_PORT', '65536'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_PREFIX', 'has space'],
    ['REDIS_TIMEOUT_MS', '0'],
    ['DATABASE_URL', 'mysql://db/app'],
    ['SESSION_IDLE_TIMEOUT', 'soon'],
    ['SESSION_IDLE_TIMEOUT', '0'],
    ['SESSION_ABSOLUTE_TIMEOUT', '-5'],
    ['SESSION_TOUCH_INTERVAL', '-1'],
    ['CORS_ORIGINS', 'https://a.example/'],
    ['CORS_ORIGINS', '*'],
    ['APP_ORIGIN', 'localhost:3000'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', 'not-an-address'],
    ['COOKIE_SECURE', 'yes'],
    ['COOKIE_SAMESITE', 'loose'],
    ['LOG_LEVEL', 'verbose'],
    ['NODE_ENV', 'prod'],
    ['PASSWORD_HASH_MEMORY_KIB', 'lots'],
    ['PASSWORD_HASH_TIME_COST', '1.5'],
    ['PASSWORD_HASH_PARALLELISM', '0'],
    ['SHUTDOWN_TIMEOUT_MS', 'never'],
  ])('%s=%s', (variable, value) => {
    const err = configError({ [variable]: value });
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable} `)).toBe(true);
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeGreaterThan(variable.length + 10); // says what it expects
  });

  test('COOKIE_SAMESITE=none needs COOKIE_SECURE=true', () => {
    expect(configError({ COOKIE_SAMESITE: 'none' }).variable).toBe('COOKIE_SAMESITE');
    expect(loadConfig({ COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'true' }).cookie.sameSite).toBe('none');
  });

  test('the idle timeout may not exceed the absolute lifetime', () => {
    expect(configError({ SESSION_IDLE_TIMEOUT: '100', SESSION_ABSOLUTE_TIMEOUT: '50' }).variable).toBe('SESSION_IDLE_TIMEOUT');
  });

  test('a password inside a bad connection URL is not echoed', () => {
    const err = configError({ DATABASE_URL: 'mysql://admin:s3cret-pass@db/app' });
    expect(err.message).toContain('mysql://admin:***@db/app');
    expect(err.message).not.toContain('s3cret-pass');
  });
});

describe('production refuses a weak secret', () => {
  test.each([
    ['missing', {}],
    ['empty', { SESSION_SECRET: '' }],
    ['short (31 characters)', { SESSION_SECRET: 'x'.repeat(31) }],
    ['the development secret', { SESSION_SECRET: DEV_SESSION_SECRET }],
    ['one good and one short in the list', { SESSION_SECRET: `${SECRET},short` }],
  ])('%s', (_what, env: Record<string, string>) => {
    const err = configError({ NODE_ENV: 'production', ...env });
    expect(err.variable).toBe('SESSION_SECRET');
    expect(err.message).not.toContain('\n');
    if (env.SESSION_SECRET) expect(err.message).not.toContain(env.SESSION_SECRET);
  });

  test('32 characters are enough; no warning', () => {
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), SMTP_URL: SMTP });
    expect(config.session.secrets).toEqual(['x'.repeat(32)]);
    expect(config.warnings.filter((w) => /SESSION_SECRET/.test(w))).toEqual([]);
  });

  test("and a password hash cheaper than OWASP's", () => {
    expect(configError({ NODE_ENV: 'production', SESSION_SECRET: SECRET, PASSWORD_HASH_MEMORY_KIB: '1024' }).variable).toBe('PASSWORD_HASH_MEMORY_KIB');
    expect(configError({ NODE_ENV: 'production', SESSION_SECRET: SECRET, PASSWORD_HASH_TIME_COST: '1' }).variable).toBe('PASSWORD_HASH_MEMORY_KIB');
    expect(loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_MEMORY_KIB: '1024', PASSWORD_HASH_TIME_COST: '1' }).passwordHash).toMatchObject({
      memoryKiB: 1024,
      timeCost: 1,
    });
  });
});

describe('the command-line tools read only what they need', () => {
  test('no Redis and no session secret, even in production; the same rules for the rest', () => {
    expect(loadDatabaseConfig({ NODE_ENV: 'production', DATABASE_URL: 'sqlite::memory:', REDIS_URL: 'not even a URL' })).toEqual({
      env: 'production',
      databaseUrl: 'sqlite::memory:',
      databasePool: { max: 10, statementTimeoutMs: 5000 },
      passwordHash: ARGON2_OWASP,
    });
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/^DATABASE_URL /);
    expect(() => loadDatabaseConfig({ NODE_ENV: 'production', PASSWORD_HASH_TIME_COST: '1' })).toThrow(ConfigError);
  });
});

/** The `variable` column of the markdown table(s) in one `## ` section of a doc. */
function documentedIn(file: string, heading: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) return [];
  const end = text.indexOf('\n## ', start + heading.length + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| (.+?) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((v) => v[1]!));
}

test('docs/configuration.md lists every variable the API reads, and only those', () => {
  const documented = documentedIn('docs/configuration.md', '## API');
  expect(documented.filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
  expect(CONFIG_VARIABLES.filter((name) => !documented.includes(name))).toEqual([]);
});

test("every variable in the README's brief table is in docs/configuration.md", () => {
  const brief = documentedIn('README.md', '## Configuration in brief');
  expect(brief.length).toBeGreaterThan(5);
  const full = fs.readFileSync(path.join(ROOT, 'docs/configuration.md'), 'utf8');
  expect(brief.filter((name) => !full.includes(`\`${name}\``))).toEqual([]);
});

describe('Redis topology: one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES', () => {
  test('each alone is read as its topology', () => {
    expect(loadConfig({}).redis.topology).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    expect(loadConfig({ REDIS_SENTINELS: 's1:26379, s2:26379,s3:26380', REDIS_SENTINEL_NAME: 'main' }).redis.topology).toEqual({
      kind: 'sentinel',
      name: 'main',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: 's3', port: 26380 },
      ],
    });
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000' }).redis.topology).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7000 },
      ],
    });
  });

  test.each([
    [{ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' }, /^REDIS_CLUSTER_NODES and REDIS_URL are both set: choose one Redis/],
    [{ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'b:7000' }, /^REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set/],
    [{ REDIS_SENTINELS: 's:26379' }, /^REDIS_SENTINEL_NAME must be set with REDIS_SENTINELS/],
    [{ REDIS_SENTINEL_NAME: 'm' }, /^REDIS_SENTINEL_NAME is set without REDIS_SENTINELS/],
    [{ REDIS_CLUSTER_NODES: 'just-a-host' }, /^REDIS_CLUSTER_NODES must list host:port pairs/],
  ])('%j stops with one line', (env, message) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('\n');
  });
});

describe('Redis credentials and TLS for a Sentinel set or a Cluster', () => {
  const SENTINEL = { REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'main' };
  const CLUSTER = { REDIS_CLUSTER_NODES: 'n1:7000' };
  let caFile: string;
  beforeAll(() => {
    caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-ca-')), 'ca.pem');
    fs.writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  });
  afterAll(() => fs.rmSync(path.dirname(caFile), { recursive: true, force: true }));

  test("a Sentinel set: the data nodes' credentials and the Sentinels' own, TLS with a private CA", () => {
    const { access } = loadConfig({
      ...SENTINEL,
      REDIS_USERNAME: 'cloakroom',
      REDIS_PASSWORD: 'data secret',
      REDIS_SENTINEL_PASSWORD: 'sentinel secret',
      REDIS_TLS: 'true',
      REDIS_TLS_CA_FILE: caFile,
    }).redis.topology;
    expect(access).toEqual({
      nodes: { username: 'cloakroom', password: 'data secret' },
      sentinels: { password: 'sentinel secret' },
      tls: { ca: fs.readFileSync(caFile, 'utf8') },
    });
  });

  test("a Cluster: the nodes' password and TLS with Node's CA store; nothing set, no access at all", () => {
    expect(loadConfig({ ...CLUSTER, REDIS_PASSWORD: 'p', REDIS_TLS: 'true' }).redis.topology.access).toEqual({ nodes: { password: 'p' }, tls: {} });
    expect(loadConfig({ ...CLUSTER, REDIS_TLS: 'false' }).redis.topology.access).toBeUndefined();
    expect(loadConfig(SENTINEL).redis.topology.access).toBeUndefined();
  });

  test('a private CA for a rediss:// REDIS_URL, the one thing such a URL cannot carry', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://u:p@cache:6380', REDIS_TLS_CA_FILE: caFile }).redis.topology.access).toEqual({ tls: { ca: expect.any(String) } });
  });

  test.each([
    [
      { REDIS_URL: 'redis://a:6379', REDIS_PASSWORD: 'x' },
      /^REDIS_PASSWORD is for REDIS_SENTINELS or REDIS_CLUSTER_NODES.*put the user and password in the URL/,
    ],
    [{ REDIS_USERNAME: 'u', REDIS_PASSWORD: 'x' }, /^REDIS_USERNAME is for REDIS_SENTINELS or REDIS_CLUSTER_NODES, and neither is set/],
    [{ REDIS_TLS: 'true' }, /^REDIS_TLS is for REDIS_SENTINELS or REDIS_CLUSTER_NODES.*rediss:\/\//],
    [{ REDIS_URL: 'redis://a:6379', REDIS_TLS_CA_FILE: '/ca.pem' }, /^REDIS_TLS_CA_FILE is set, but REDIS_URL is not a rediss:\/\/ \(TLS\) URL/],
    [{ ...CLUSTER, REDIS_SENTINEL_PASSWORD: 'x' }, /^REDIS_SENTINEL_PASSWORD is set without REDIS_SENTINELS/],
    [{ ...CLUSTER, REDIS_USERNAME: 'u' }, /^REDIS_USERNAME needs REDIS_PASSWORD/],
    [{ ...SENTINEL, REDIS_SENTINEL_USERNAME: 'u' }, /^REDIS_SENTINEL_USERNAME needs REDIS_SENTINEL_PASSWORD/],
    [{ ...CLUSTER, REDIS_TLS_CA_FILE: '/ca.pem' }, /^REDIS_TLS_CA_FILE is set, but REDIS_TLS is not "true"/],
    [{ ...CLUSTER, REDIS_TLS: 'true', REDIS_TLS_CA_FILE: '/no/such/ca.pem' }, /^REDIS_TLS_CA_FILE cannot be read: ENOENT/],
    [{ ...CLUSTER, REDIS_TLS: 'yes' }, /^REDIS_TLS must be "true" or "false"/],
  ])('%j stops with one line naming the variable', (env, message) => {
    const err = configError(env);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });

  test('a password never appears in a configuration error', () => {
    expect(configError({ REDIS_URL: 'redis://a:6379', REDIS_PASSWORD: 'hunter2-secret' }).message).not.toContain('hunter2-secret');
    expect(configError({ ...CLUSTER, REDIS_SENTINEL_PASSWORD: 'hunter2-secret' }).message).not.toContain('hunter2-secret');
  });
});
