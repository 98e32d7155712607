/** Starting the API as a real process (the build `npm run start:api` runs): it fails fast
 *  with one line saying what is missing and how to start it, and otherwise serves. */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import request from 'supertest';
import { testDatabases } from '@cloakroom/server/testing';
import { scratchDatabase } from './helpers/databases';
import { deadPort, finished, spawnBuilt, until, type Finished } from './helpers/processes';

jest.setTimeout(60_000);

const MAIN = 'main';
const SECRET = randomBytes(32).toString('base64url');
const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const start = (env: Record<string, string>) => finished(spawnBuilt(MAIN, [], { SESSION_SECRET: SECRET, DATABASE_URL: 'sqlite::memory:', REDIS_URL, ...env }));

/** Exits non-zero with exactly one line on stderr, and nothing that looks like a stack. */
function expectOneLine(run: Finished): string {
  expect(run.code).not.toBe(0);
  expect(run.code).not.toBeNull();
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(run.stderr + run.stdout).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

test('Redis not answering: exits within seconds, naming the refused connection, `redis-server` and `docker compose up local-redis`', async () => {
  const port = await deadPort();
  const run = await start({ REDIS_URL: `redis://127.0.0.1:${port}` });
  const line = expectOneLine(run);
  expect(line).toContain(`Redis is not answering at redis://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})`);
  expect(line).toContain('docker compose up local-redis');
  expect(line).toContain('redis-server');
  // The connection attempt is bounded at 3 s; the rest is starting Node.
  expect(run.ms).toBeLessThan(15_000);
});

test('PostgreSQL not answering: exits within seconds, saying how to start it', async () => {
  const port = await deadPort();
  const run = await start({ DATABASE_URL: `postgres://cloakroom:db-password@127.0.0.1:${port}/cloakroom` });
  const line = expectOneLine(run);
  expect(line).toMatch(/database .*not usable: connect ECONNREFUSED/);
  expect(line).toContain('docker compose up local-postgres');
  expect(line).not.toContain('db-password');
  expect(run.ms).toBeLessThan(15_000);
});

test('a bad variable: exits with one line naming it', async () => {
  const run = await start({ PORT: 'eighty' });
  expect(expectOneLine(run)).toBe('cloakroom: invalid configuration: PORT must be a port number (got "eighty")');
  expect(run.code).toBe(78);
});

test('production without a session secret: refuses to start, one line', async () => {
  const run = await start({ NODE_ENV: 'production', SESSION_SECRET: '' });
  expect(expectOneLine(run)).toMatch(/^cloakroom: invalid configuration: SESSION_SECRET is required in production/);
});

describe('with Redis and a database', () => {
  test.each(testDatabases())('starts on $name, answers /healthz and /readyz, stops cleanly on SIGTERM', async ({ name, databaseUrl }) => {
    const db = await scratchDatabase(name, databaseUrl);
    const child = spawnBuilt(MAIN, [], {
      SESSION_SECRET: SECRET,
      DATABASE_URL: db.url,
      REDIS_URL,
      PORT: '0',
      REDIS_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
    });
    const done = finished(child);
    try {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      await until(() => /"port":\d+/.test(out), 'the listening line');
      const port = Number(/"port":(\d+)/.exec(out)![1]);
      const api = request(`http://127.0.0.1:${port}`);
      await api.get('/healthz').expect(200, { status: 'ok' });
      await api.get('/readyz').expect(200);
      expect(out).toMatch(/database migrated/);
      child.kill('SIGTERM');
      const run = await done;
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
    } finally {
      child.kill('SIGKILL');
      await done;
      await db.drop();
    }
  });

  test('development without a secret: starts with the dev secret and warns', async () => {
    const child = spawnBuilt(MAIN, [], { DATABASE_URL: 'sqlite::memory:', REDIS_URL, PORT: '0', REDIS_PREFIX: `test:${randomBytes(4).toString('hex')}:` });
    const done = finished(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until(() => /"port":\d+/.test(out), 'the listening line');
      expect(out).toMatch(/"level":40.*SESSION_SECRET is not set/);
      // Signing with a public secret, it listens on loopback only (issue 8.9).
      const listening = JSON.parse(out.split('\n').find((l) => l.includes('listening'))!) as { host: string; port: number };
      expect(listening.host).toBe('127.0.0.1');
      await request(`http://127.0.0.1:${listening.port}`).get('/healthz').expect(200);
      const outside = Object.values(os.networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal);
      if (outside) await expect(request(`http://${outside.address}:${listening.port}`).get('/healthz')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      child.kill('SIGTERM');
      await done;
    }
  });
});
