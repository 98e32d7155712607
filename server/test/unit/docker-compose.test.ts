/** docker-compose.yml and server/Dockerfile, checked by reading them (no Docker engine
 *  runs here): the file is valid against the compose-spec schema that `docker compose
 *  config` uses, as written and once interpolated; by default only the web client and
 *  the API publish ports, so the stack runs beside a local Redis and PostgreSQL; the
 *  API's environment is one the configuration schema accepts as a whole, and its secret
 *  comes from the environment. */
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config/env';
import { BUNDLE_COPY } from '../../src/http/reference/bundle';
import { COMPOSE_PATH, composeSchemaErrors, defaultServices, environmentOf, interpolate, interpolateAll, readCompose } from '../helpers/compose';
import { ROOT } from '../helpers/processes';

const compose = readCompose();
const { services } = compose;

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
  for (const name of ['SESSION_SECRET', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL']) expect(env[name]).toBeTruthy();
  // Mail goes to the Mailpit service's SMTP port on the compose network.
  const smtp = new URL(env.SMTP_URL!);
  expect(`${smtp.protocol}//${smtp.host}`).toBe('smtp://mailpit:1025');

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

test('the api waits for healthy redis, postgres and mailpit, which have health checks', () => {
  expect(api.depends_on).toEqual({
    redis: { condition: 'service_healthy' },
    postgres: { condition: 'service_healthy' },
    mailpit: { condition: 'service_healthy' },
  });
  expect(services.mailpit!.healthcheck?.test).toEqual(['CMD', '/mailpit', 'readyz']);
  expect(services.redis!.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  expect(String(services.postgres!.healthcheck?.test)).toMatch(/pg_isready/);
});

test('the api publishes the port it listens on', () => {
  const port = environmentOf(api).PORT;
  expect(api.ports?.some((mapping) => mapping.endsWith(`:${port}`))).toBe(true);
});

describe('the compose-spec schema, which `docker compose config` validates the file against', () => {
  const errorsOf = composeSchemaErrors();
  const shown = (document: unknown) => errorsOf(document).map((e) => `${e.instancePath} ${e.message}`);
  const variables = [...new Set([...fs.readFileSync(COMPOSE_PATH, 'utf8').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))];

  test('accepts the file as written (`docker compose config --no-interpolate`)', () => {
    expect(shown(compose)).toEqual([]);
  });

  test('accepts it interpolated on a machine with none of its variables set', () => {
    expect(shown(interpolateAll(compose, {}))).toEqual([]);
  });

  test('accepts it interpolated with every variable it reads set', () => {
    const ports: Record<string, string> = { WEB_PORT: '3100', PORT: '4100', LOCAL_REDIS_PORT: '6380', LOCAL_POSTGRES_PORT: '5433' };
    const env = Object.fromEntries(variables.map((name) => [name, ports[name] ?? 'a-value']));
    expect(variables).toEqual(expect.arrayContaining(Object.keys(ports)));
    expect(shown(interpolateAll(compose, env))).toEqual([]);
  });

  test.each<[string, (doc: typeof compose & Record<string, unknown>) => void]>([
    ['a misspelt top-level key', (doc) => (doc.serivces = {})],
    [
      'a depends_on condition Compose does not know',
      (doc) => ((doc.services.web!.depends_on as Record<string, { condition: string }>).api!.condition = 'service_ready'),
    ],
    ['a misspelt service key', (doc) => ((doc.services.api as Record<string, unknown>).enviroment = {})],
    ['a port that is neither a number, a string nor a mapping', (doc) => (doc.services.api!.ports = [true as unknown as string])],
    ['profiles as a word instead of a list', (doc) => ((doc.services['local-redis'] as Record<string, unknown>).profiles = 'local')],
  ])('refuses the file with %s (the check can fail)', (_what, breakIt) => {
    const broken = structuredClone(compose) as typeof compose & Record<string, unknown>;
    breakIt(broken);
    expect(shown(broken)).not.toEqual([]);
  });
});

describe('published ports', () => {
  test("by default only the web client, the API and Mailpit's inbox publish a port, on 127.0.0.1, so a local Redis and PostgreSQL keep theirs", () => {
    const published = defaultServices(interpolateAll(compose, {}))
      .filter(([, service]) => service.ports?.length)
      .map(([name, service]) => [name, service.ports]);
    expect(Object.fromEntries(published)).toEqual({ api: ['127.0.0.1:4000:4000'], web: ['127.0.0.1:3000:3000'], mailpit: ['127.0.0.1:8025:8025'] });
  });

  test("WEB_PORT and PORT move them; the API's APP_ORIGIN follows WEB_PORT, and inside its container it still listens on 4000", () => {
    const moved = { WEB_PORT: '3100', PORT: '4100', SESSION_SECRET: STRONG_SECRET };
    const doc = interpolateAll(compose, moved);
    expect(doc.services.web!.ports).toEqual(['127.0.0.1:3100:3000']);
    expect(doc.services.api!.ports).toEqual(['127.0.0.1:4100:4000']);
    const config = loadConfig(environmentOf(api, moved));
    expect(config.appOrigin).toBe('http://localhost:3100');
    expect(config.port).toBe(4000);
    expect(loadConfig(environmentOf(api, { SESSION_SECRET: STRONG_SECRET })).appOrigin).toBe('http://localhost:3000');
    expect(loadConfig(environmentOf(api, { ...moved, APP_ORIGIN: 'https://app.example.com' })).appOrigin).toBe('https://app.example.com');
  });

  test('local-redis and local-postgres start only when named (profile "local"), on loopback, with the stack\'s images and a volume of their own', () => {
    const local = Object.entries(services).filter(([, service]) => service.profiles?.length);
    expect(local.map(([name]) => name).sort()).toEqual(['local-postgres', 'local-redis']);
    for (const [, service] of local) {
      expect(service.profiles).toEqual(['local']);
      for (const mapping of service.ports ?? []) expect(mapping).toMatch(/^127\.0\.0\.1:/);
    }
    expect(services['local-redis']!.image).toBe(services.redis!.image);
    expect(services['local-redis']!.command).toEqual(services.redis!.command);
    expect(services['local-postgres']!.image).toBe(services.postgres!.image);
    const doc = interpolateAll(compose, {});
    expect(doc.services['local-redis']!.ports).toEqual(['127.0.0.1:6379:6379']);
    expect(doc.services['local-postgres']!.ports).toEqual(['127.0.0.1:5432:5432']);
    expect(interpolateAll(compose, { LOCAL_REDIS_PORT: '6380' }).services['local-redis']!.ports).toEqual(['127.0.0.1:6380:6379']);
    // Two PostgreSQL servers on one data folder would corrupt it.
    const volumeOf = (name: string) => services[name]!.volumes!.map((v) => v.split(':')[0]);
    expect(volumeOf('local-postgres')).not.toEqual(expect.arrayContaining(volumeOf('postgres')));
    expect(Object.keys(compose.volumes ?? {})).toEqual(expect.arrayContaining([...volumeOf('postgres'), ...volumeOf('local-postgres')]));
  });

  test('the DATABASE_URL the file gives for local-postgres is the database it creates', () => {
    const documented = /DATABASE_URL=(postgres:\/\/\S+)/.exec(fs.readFileSync(COMPOSE_PATH, 'utf8'))?.[1];
    const url = new URL(documented!);
    const pg = environmentOf(services['local-postgres']!);
    expect([url.hostname, url.port, decodeURIComponent(url.username), decodeURIComponent(url.password), url.pathname]).toEqual([
      '127.0.0.1',
      interpolate(services['local-postgres']!.ports![0]!, {}).split(':')[1],
      pg.POSTGRES_USER,
      pg.POSTGRES_PASSWORD,
      `/${pg.POSTGRES_DB}`,
    ]);
  });

  test('every `docker compose up <service>` that an error message or the docs suggest is a service of this file', () => {
    const files = [
      ...fs.readdirSync(path.join(ROOT, 'server/src'), { recursive: true, encoding: 'utf8' }).map((f) => path.join('server/src', f)),
      'README.md',
      ...(fs.existsSync(path.join(ROOT, 'docs')) ? fs.readdirSync(path.join(ROOT, 'docs')).map((f) => path.join('docs', f)) : []),
    ].filter((f) => /\.(ts|md)$/.test(f));
    const named = files.flatMap((f) =>
      [...fs.readFileSync(path.join(ROOT, f), 'utf8').matchAll(/docker compose up (?:--?[\w-]+ )*([a-z][\w-]*)/g)].map((m) => `${f}: ${m[1]}`),
    );
    expect(named.filter((entry) => entry.endsWith(': local-redis')).length).toBeGreaterThan(0);
    expect(named.filter((entry) => !(entry.split(': ')[1]! in services))).toEqual([]);
  });
});

interface LockEntry {
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** The lock file's entries that npm installs for `workspaces` without dev dependencies:
 *  their dependencies and everything those need, resolved as Node resolves them (the
 *  nearest node_modules/ up from the package that asks). */
function runtimeClosure(workspaces: string[]): Set<string> {
  const { packages } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const seen = new Set<string>();
  const needs = (entry: LockEntry) => [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {})];
  const queue = workspaces.flatMap((ws) => needs(packages[ws]!).map((name) => [name, ws] as const));
  while (queue.length) {
    const [name, from] = queue.pop()!;
    let dir = from;
    let key: string | undefined;
    for (;;) {
      const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
      if (packages[candidate]) {
        key = candidate;
        break;
      }
      if (!dir) break;
      dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '';
    }
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const entry = packages[key]!;
    const at = entry.link ? entry.resolved! : key;
    for (const next of needs(packages[at]!)) queue.push([next, at]);
  }
  return seen;
}

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
    const { workspaces } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    for (const ws of workspaces) expect(dockerfile).toContain(`COPY ${ws}/package.json ${ws}/`);
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

  test('what `npm ci --omit=dev` installs for the image (shared and server, from the lock file) holds no test package', () => {
    expect(instructions).toContain('RUN npm ci --omit=dev --no-audit --no-fund --workspace=shared --workspace=server');
    const installed = runtimeClosure(['shared', 'server']);
    for (const runtime of ['node_modules/express', 'node_modules/redis', 'node_modules/argon2']) expect(installed).toContain(runtime); // the walk found the real tree
    const testOnly = ['supertest', 'superagent', 'ajv', 'fast-check', 'jest', 'ts-jest', 'tsx', '@scalar/api-reference', 'typescript'];
    expect([...installed].filter((key) => testOnly.some((name) => key.endsWith(`node_modules/${name}`)))).toEqual([]);
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
