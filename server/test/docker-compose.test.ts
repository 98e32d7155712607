/** docker-compose.yml and server/Dockerfile, checked by reading them (no Docker engine
 *  runs here): the services exist, the API's environment is one the configuration
 *  schema accepts as a whole, and its secret comes from the environment. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config/env';
import { BUNDLE_COPY } from '../src/http/reference/bundle';
import { ROOT } from './helpers/processes';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] | string };
  ports?: string[];
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const { services } = compose;

/** Compose's interpolation for the forms the file uses: ${VAR}, ${VAR:-default},
 *  ${VAR-default} and $$. */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}/g, (match, name?: string, colon?: string, fallback?: string) => {
    if (match === '$$') return '$';
    const set = env[name!];
    if (fallback === undefined) return set ?? '';
    return set === undefined || (colon === ':' && set === '') ? fallback : set;
  });
}

/** A service's environment as compose would hand it over, given the caller's environment. */
function environmentOf(service: Service, env: Record<string, string | undefined> = {}): Record<string, string> {
  const raw = service.environment ?? {};
  const pairs = Array.isArray(raw)
    ? raw.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string])
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v ?? '', env)]));
}

const api = services.api!;
const apiRawEnv = api.environment as Record<string, string>;
const STRONG_SECRET = 'x'.repeat(24) + 'a-secret-from-the-shell-' + 'y'.repeat(24);

test('the stack has redis, postgres and the api (built from server/Dockerfile)', () => {
  expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis', 'postgres', 'api']));
  expect(services.redis!.image).toMatch(/^redis:/);
  expect(services.postgres!.image).toMatch(/^postgres:/);
  expect(api.build).toEqual({ context: '.', dockerfile: 'server/Dockerfile' });
});

test('every variable given to the api is one the configuration knows', () => {
  const unknown = Object.keys(environmentOf(api)).filter((name) => !CONFIG_VARIABLES.includes(name));
  expect(unknown).toEqual([]);
});

test('the api runs in production with the required variables, pointing at the compose services', () => {
  const env = environmentOf(api, { SESSION_SECRET: STRONG_SECRET });
  expect(env.NODE_ENV).toBe('production');
  for (const name of ['SESSION_SECRET', 'DATABASE_URL', 'REDIS_URL']) expect(env[name]).toBeTruthy();

  const db = new URL(env.DATABASE_URL!);
  expect(db.protocol).toBe('postgres:');
  expect(db.hostname).toBe('postgres');
  const redis = new URL(env.REDIS_URL!);
  expect(redis.protocol).toBe('redis:');
  expect(redis.hostname).toBe('redis');

  // The database URL's credentials are the ones the postgres service is created with.
  const pg = environmentOf(services.postgres!);
  expect(decodeURIComponent(db.username)).toBe(pg.POSTGRES_USER);
  expect(decodeURIComponent(db.password)).toBe(pg.POSTGRES_PASSWORD);
  expect(db.pathname).toBe(`/${pg.POSTGRES_DB}`);
  expect(db.port || '5432').toBe('5432');
});

test('the session secret comes from the environment, never a literal in the file', () => {
  expect(apiRawEnv.SESSION_SECRET).toMatch(/^\$\{SESSION_SECRET(:?-)?\}$/);
  expect(environmentOf(api, {}).SESSION_SECRET).toBe('');
  expect(environmentOf(api, { SESSION_SECRET: STRONG_SECRET }).SESSION_SECRET).toBe(STRONG_SECRET);
});

test('the configuration accepts the api environment as compose would pass it, and refuses it without a secret', () => {
  const config = loadConfig(environmentOf(api, { SESSION_SECRET: STRONG_SECRET }));
  expect(config.env).toBe('production');
  expect(config.session.secrets).toEqual([STRONG_SECRET]);
  expect(config.databaseUrl).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
  expect(config.redis.url).toBe('redis://redis:6379');
  // Plain HTTP on localhost unless told otherwise (a Secure cookie would never be set).
  expect(config.cookie.secure).toBe(false);
  expect(loadConfig(environmentOf(api, { SESSION_SECRET: STRONG_SECRET, COOKIE_SECURE: 'true' })).cookie.secure).toBe(true);

  const withoutSecret = () => loadConfig(environmentOf(api, {}));
  expect(withoutSecret).toThrow(ConfigError);
  expect(withoutSecret).toThrow(/^SESSION_SECRET is required in production/);
});

test('the api waits for healthy redis and postgres, which have health checks', () => {
  expect(api.depends_on).toEqual({ redis: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
  expect(services.redis!.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  expect(String(services.postgres!.healthcheck?.test)).toMatch(/pg_isready/);
});

test('the api publishes the port it listens on', () => {
  const port = environmentOf(api).PORT;
  expect(api.ports?.some((mapping) => mapping.endsWith(`:${port}`))).toBe(true);
});

describe('server/Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(ROOT, 'server/Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line && !line.startsWith('#'));
  const stages = instructions.filter((line) => /^FROM /i.test(line));
  const last = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]!));

  test('is multi-stage, installs with npm ci and builds shared and server', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(instructions.some((line) => /^RUN .*npm ci\b/.test(line))).toBe(true);
    expect(instructions.some((line) => /^RUN .*tsc -b shared server/.test(line))).toBe(true);
    // Every workspace manifest is copied before `npm ci`, or it cannot match the lock file.
    for (const ws of ['shared', 'server', 'client']) expect(dockerfile).toContain(`COPY ${ws}/package.json ${ws}/`);
  });

  test('the final image runs node server/dist/main.js as a non-root user, with the assets and a /readyz health check', () => {
    expect(last.at(-1)).toBe('CMD ["node", "server/dist/main.js"]');
    const user = last.find((line) => /^USER /.test(line));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(last.some((line) => /^COPY .*server\/assets\/? server\/assets/.test(line))).toBe(true);
    expect(last.some((line) => /^HEALTHCHECK .*\/readyz/.test(line))).toBe(true);
    expect(last).toContain('ENV NODE_ENV=production PORT=4000');
  });

  test('the image carries no test kit: tests and the kit stay out of the context, and nothing they need is a runtime dependency', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['server/test', 'server/testing']) expect(ignored).toContain(pattern);
    // Only the build and the assets reach the final stage.
    const copies = last.filter((line) => /^COPY /.test(line));
    expect(copies.filter((line) => /server\//.test(line)).map((line) => line.replace(/^COPY (--from=\S+ )?/, ''))).toEqual([
      '/app/server/dist/ server/dist/',
      'server/assets/ server/assets/',
    ]);
    const runtime = JSON.parse(fs.readFileSync(path.join(ROOT, 'server/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const testOnly of ['supertest', 'ajv', 'ajv-formats', 'fast-check', '@scalar/api-reference'])
      expect(runtime.dependencies).not.toHaveProperty(testOnly);
  });

  test("the API reference's script is copied from the dev dependency to where the server looks for it", () => {
    const copy = instructions.find((line) => line.includes('scalar-api-reference.js'));
    expect(copy).toMatch(
      /^RUN npx tsc -b shared server && .*cp "\$\(cd server && node -p "require\.resolve\('@scalar\/api-reference\/browser\/standalone\.js'\)"\)" (\S+)$/,
    );
    const target = /(\S+)$/.exec(copy!)![1]!;
    expect(path.join(ROOT, target)).toBe(BUNDLE_COPY.replace(`${path.sep}src${path.sep}`, `${path.sep}dist${path.sep}`));
  });

  test('.dockerignore keeps local builds and dependencies out of the context', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    // A stale tsbuildinfo would make `tsc -b` skip emitting; host node_modules hold host binaries.
    for (const pattern of ['**/node_modules', '**/dist', '**/*.tsbuildinfo']) expect(ignored).toContain(pattern);
  });
});
