import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadClientConfig } from './lib/config';

/** docker-compose.yml's web service and client/Dockerfile, checked by reading them (no
 *  Docker engine runs here). */
const ROOT = path.resolve(__dirname, '..');
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<
    string,
    {
      build?: { context: string; dockerfile: string; args?: Record<string, string> };
      environment?: Record<string, string>;
      depends_on?: Record<string, unknown>;
    }
  >;
};
const web = compose.services.web!;
const dockerfile = fs.readFileSync(path.join(ROOT, 'client/Dockerfile'), 'utf8');

/** ${VAR:-default} as compose reads it. */
const interpolate = (v: string, env: Record<string, string>) =>
  v.replace(/\$\{([A-Za-z_]+):-([^}]*)\}/g, (_m, name: string, fallback: string) => env[name] || fallback);
const envOf = (env: Record<string, string>) => Object.fromEntries(Object.entries(web.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]));

test('web is built from client/Dockerfile and starts after the API is healthy', () => {
  expect(web.build).toMatchObject({ context: '.', dockerfile: 'client/Dockerfile' });
  expect(web.depends_on).toMatchObject({ api: { condition: 'service_healthy' } });
});

test('the image names no API: the web service says where it is when it starts', () => {
  expect(web.build!.args?.API_INTERNAL_URL).toBeUndefined();
  expect(dockerfile).not.toMatch(/^ARG API_INTERNAL_URL/m);
  expect(new URL(web.environment!.API_INTERNAL_URL!).hostname).toBe('api');
});

test('in production the web service starts with the secret from the environment, and refuses without one', () => {
  const secret = 's'.repeat(48);
  const config = loadClientConfig(envOf({ SESSION_SECRET: secret }), 'production');
  expect(config).toMatchObject({ production: true, apiInternalUrl: 'http://api:4000', identitySecret: { source: 'SESSION_SECRET' } });
  expect(() => loadClientConfig(envOf({}), 'production')).toThrow(/IDENTITY_HEADER_SECRET \(or SESSION_SECRET\) is required in production/);
  expect(web.environment!.SESSION_SECRET).toBe('${SESSION_SECRET:-}');
});

test('the image runs the standalone server with its static files and the preload, as a non-root user', () => {
  expect(dockerfile).toMatch(/npm run build -w client/); // next build + standalone-assets.mjs (static/ and public/)
  expect(dockerfile).toMatch(/COPY --from=build .*\/app\/client\/\.next\/standalone\/ \.\//);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/^CMD \["node", "--require", "\.\/client\/server\/preload\.cjs", "client\/server\.js"\]$/m);
  // Everything the preload loads is in the image.
  const preloaded = [...fs.readFileSync(path.join(ROOT, 'client/server/preload.cjs'), 'utf8').matchAll(/require\('\.\/([^']+)'\)/g)].map((m) => m[1]!);
  for (const file of [...preloaded, 'dist/edge.cjs']) expect(dockerfile).toContain(`client/server/${file}`);
});
