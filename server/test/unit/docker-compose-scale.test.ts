/** docker-compose.scale.yml and deploy/haproxy.cfg, checked by reading them (no Docker
 *  engine runs here): the compose file is valid against the compose-spec schema, as
 *  written and once interpolated; 3 API replicas reach Redis through the Sentinels that
 *  watch the master and PostgreSQL, with an environment the configuration accepts;
 *  clients reach the replicas only through HAProxy, whose configuration the real HAProxy
 *  accepts and which balances round robin, without stickiness, on /readyz. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config/env';
import { SCALE_COMPOSE_PATH, composeSchemaErrors, environmentOf, interpolateAll, readCompose } from '../helpers/compose';
import { ROOT } from '../helpers/processes';

const compose = readCompose(SCALE_COMPOSE_PATH);
const { services } = compose;
const api = services.api!;
const haproxy = services.haproxy!;
const STRONG_SECRET = 'x'.repeat(24) + 'a-secret-from-the-shell-' + 'y'.repeat(24);

/** The HAProxy configuration the haproxy service mounts, found through its volume. */
const mount = haproxy.volumes!.map((v) => v.split(':')).find(([, target]) => target === '/usr/local/etc/haproxy/haproxy.cfg');
const haproxyCfgPath = path.join(ROOT, mount?.[0] ?? 'missing');
const haproxyCfg = fs.existsSync(haproxyCfgPath) ? fs.readFileSync(haproxyCfgPath, 'utf8') : '';

test('the stack has HAProxy, 3 API replicas, a Redis master and replica with 3 Sentinels, PostgreSQL and the web client', () => {
  expect(Object.keys(services).sort()).toEqual(
    ['api', 'haproxy', 'postgres', 'redis-master', 'redis-replica', 'sentinel-1', 'sentinel-2', 'sentinel-3', 'web'].sort(),
  );
  expect(api.deploy?.replicas).toBe(3);
  expect(api.build).toEqual({ context: '.', dockerfile: 'server/Dockerfile' });
  expect(haproxy.image).toMatch(/^haproxy:/);
  expect(services.postgres!.image).toMatch(/^postgres:/);
  expect(services['redis-replica']!.command).toEqual(expect.arrayContaining(['--replicaof', 'redis-master', '6379']));
});

test('every variable given to the api is one the configuration knows, and it accepts them as a whole', () => {
  expect(Object.keys(environmentOf(api)).filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
  const config = loadConfig(environmentOf(api, { SESSION_SECRET: STRONG_SECRET }));
  expect(config.env).toBe('production');
  expect(config.databaseUrl).toMatch(/^postgres:\/\/[^@]+@postgres:5432\/cloakroom$/);
  expect(config.redis.topology).toEqual({
    kind: 'sentinel',
    name: 'cloakroom',
    sentinels: [1, 2, 3].map((i) => ({ host: `sentinel-${i}`, port: 26379 })),
    access: { nodes: { password: 'cloakroom-redis' }, sentinels: { password: 'cloakroom-sentinel' } },
  });
  expect(() => loadConfig(environmentOf(api, {}))).toThrow(ConfigError);
});

test('the Sentinels watch the master under the name the api asks them for, each with a health check', () => {
  const name = environmentOf(api).REDIS_SENTINEL_NAME!;
  for (const i of [1, 2, 3]) {
    const sentinel = services[`sentinel-${i}`]!;
    expect(String(sentinel.command)).toContain(`sentinel monitor ${name} redis-master 6379 2`);
    expect(sentinel.healthcheck).toBeDefined();
    expect(api.depends_on).toMatchObject({ [`sentinel-${i}`]: { condition: 'service_healthy' } });
  }
});

test('only HAProxy and the web client publish a port, on 127.0.0.1; the web client reaches the API through HAProxy', () => {
  const published = Object.entries(interpolateAll(compose, {}).services)
    .filter(([, s]) => s.ports?.length)
    .map(([name, s]) => [name, s.ports]);
  expect(published).toEqual([
    ['haproxy', ['127.0.0.1:8080:8080']],
    ['web', ['127.0.0.1:3000:3000']],
  ]);
  expect(haproxyCfg).toMatch(/^\s*bind :8080$/m);
  expect(environmentOf(services.web!).API_INTERNAL_URL).toBe('http://haproxy:8080');
});

test('Redis and the Sentinels want passwords, the ones the api is given (from the shell, or the defaults)', () => {
  for (const shell of [{}, { REDIS_PASSWORD: 'from-the-shell', REDIS_SENTINEL_PASSWORD: 'sentinels-from-the-shell' }]) {
    const { services: s } = interpolateAll(compose, shell);
    const apiEnv = environmentOf(s.api!);
    const [data, sentinels] = [apiEnv.REDIS_PASSWORD!, apiEnv.REDIS_SENTINEL_PASSWORD!];
    expect(data).toBe(shell.REDIS_PASSWORD ?? 'cloakroom-redis');
    expect(sentinels).toBe(shell.REDIS_SENTINEL_PASSWORD ?? 'cloakroom-sentinel');
    for (const node of ['redis-master', 'redis-replica']) {
      expect(s[node]!.command).toEqual(expect.arrayContaining(['--requirepass', data, '--masterauth', data]));
      expect(environmentOf(s[node]!).REDISCLI_AUTH).toBe(data);
    }
    for (const i of [1, 2, 3]) {
      const sentinel = s[`sentinel-${i}`]!;
      // The script writes its own password (twice: it is also the other Sentinels') and the master's.
      expect(String(sentinel.command)).toMatch(
        /requirepass %s\\nsentinel sentinel-pass %s\\n.*sentinel auth-pass cloakroom %s\\n.*"\$SENTINEL_PASSWORD" "\$SENTINEL_PASSWORD" "\$REDIS_PASSWORD"/,
      );
      expect(environmentOf(sentinel)).toMatchObject({ SENTINEL_PASSWORD: sentinels, REDIS_PASSWORD: data, REDISCLI_AUTH: sentinels });
    }
  }
});

describe('deploy/haproxy.cfg', () => {
  test('the real HAProxy accepts it (haproxy -c)', async () => {
    const { stdout } = await promisify(execFile)('haproxy', ['-c', '-f', haproxyCfgPath]);
    expect(stdout).toMatch(/valid/);
  });

  test('round robin over one server slot per replica, on the port the api listens on, health-checked on /readyz, no stickiness', () => {
    expect(haproxyCfg).toMatch(/^\s*balance roundrobin$/m);
    expect(haproxyCfg).toMatch(/^\s*option httpchk GET \/readyz$/m);
    const template = /^\s*server-template api (\d+) api:(\d+) check /m.exec(haproxyCfg);
    expect(Number(template?.[1])).toBe(api.deploy!.replicas);
    expect(template?.[2]).toBe(environmentOf(api).PORT);
    expect(haproxyCfg).not.toMatch(/^\s*(cookie|stick|hash-type)\b/m);
    // The API believes the client address HAProxy forwards (TRUST_PROXY covers its network).
    expect(haproxyCfg).toMatch(/^\s*option forwardfor$/m);
    expect(environmentOf(api).TRUST_PROXY).toBe('uniquelocal');
  });
});

describe('the compose-spec schema, which `docker compose config` validates the file against', () => {
  const errorsOf = composeSchemaErrors();
  const shown = (document: unknown) => errorsOf(document).map((e) => `${e.instancePath} ${e.message}`);
  const variables = [...new Set([...fs.readFileSync(SCALE_COMPOSE_PATH, 'utf8').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))];

  test('accepts the file as written, interpolated with nothing set, and with every variable it reads set', () => {
    expect(shown(compose)).toEqual([]);
    expect(shown(interpolateAll(compose, {}))).toEqual([]);
    const ports: Record<string, string> = { WEB_PORT: '3100', LB_PORT: '8180' };
    const env = Object.fromEntries(variables.map((name) => [name, ports[name] ?? 'a-value']));
    expect(shown(interpolateAll(compose, env))).toEqual([]);
  });

  test('refuses a misspelt deploy key (the check can fail)', () => {
    const broken = structuredClone(compose);
    broken.services.api!.deploy = { replica: 3 } as unknown as { replicas: number };
    expect(shown(broken)).not.toEqual([]);
  });
});
