/**
 * PostgreSQL under several API instances (issue 13.5): a pool with every connection busy
 * and a statement stuck behind a lock answer 503 at once instead of hanging, and three
 * instances started together on a fresh database apply each migration exactly once
 * (Kysely's migrator serialises them with a PostgreSQL advisory lock).
 * PostgreSQL only: the PostgreSQL tests run when TEST_DATABASE_URL is set (`.ci/run` sets it).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { sql } from 'kysely';
import { API_ROUTES } from '@cloakroom/shared';
import { loadConfig } from '@cloakroom/server';
import { createTestApp, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { migrations } from '../src/db/migrations';
import { scratchDatabase } from './helpers/databases';
import { finished, spawnBuilt, until, waitFor } from './helpers/processes';

jest.setTimeout(60_000);

/** The key of the session-level advisory lock Kysely's PostgreSQL migrator takes around a
 *  run (LOCK_ID in kysely/dist/cjs/dialect/postgres/postgres-adapter.js). */
const KYSELY_MIGRATION_LOCK = '3853314791062309107';

test('DATABASE_POOL_MAX and DATABASE_STATEMENT_TIMEOUT_MS: defaults 10 and 5000 ms, a bad value is refused naming the variable', () => {
  const base = { SESSION_SECRET: randomBytes(32).toString('base64url') };
  expect(loadConfig(base).databasePool).toEqual({ max: 10, statementTimeoutMs: 5000 });
  expect(loadConfig({ ...base, DATABASE_POOL_MAX: '3', DATABASE_STATEMENT_TIMEOUT_MS: '250' }).databasePool).toEqual({ max: 3, statementTimeoutMs: 250 });
  expect(() => loadConfig({ ...base, DATABASE_POOL_MAX: '0' })).toThrow(/DATABASE_POOL_MAX must be positive/);
  expect(() => loadConfig({ ...base, DATABASE_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS must be a whole number/);
});

const postgres = testDatabases().find((d) => d.name === 'postgres');
if (postgres)
  describe('PostgreSQL', () => {
    const { databaseUrl } = postgres;
    let kit: TestApp | undefined;
    afterEach(async () => {
      await kit?.close();
      kit = undefined;
    });

    test('every pooled connection busy: a sign-in answers 503 service_unavailable while they are still held, /readyz still says ready (busy, not down), and it works once one is free', async () => {
      kit = await createTestApp({ databaseUrl, env: { DATABASE_POOL_MAX: '1' } });
      const { email, password } = await kit.createUser();

      // Take the pool's one connection and keep it until told, as a slow report would.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let taken = false;
      let held = true;
      const holder = kit.infra.db
        .connection()
        .execute(async (conn) => {
          await sql`select 1`.execute(conn);
          taken = true;
          await released;
        })
        .finally(() => (held = false));
      await until(() => taken, 'the pool connection to be taken');

      try {
        const res = await request(kit.handler).post(API_ROUTES.login.path).send({ email, password });
        // It answered while the connection was still held: the request did not wait for it.
        expect(held).toBe(true);
        expect(res.status).toBe(503);
        expect((res.body as { error: { code: string } }).error.code).toBe('service_unavailable');
        // The load balancer keeps this instance: readiness asks the database on a connection of its own.
        const ready = await request(kit.handler).get(API_ROUTES.readiness.path);
        expect(held).toBe(true);
        expect(ready.status).toBe(200);
      } finally {
        // Even when an expectation failed: a held connection would keep close() waiting.
        release();
        await holder;
      }
      await request(kit.handler).post(API_ROUTES.login.path).send({ email, password }).expect(200);
    });

    test('a statement stuck behind a lock is cancelled after DATABASE_STATEMENT_TIMEOUT_MS: 503 while the lock is still held, then works', async () => {
      kit = await createTestApp({ databaseUrl, env: { DATABASE_STATEMENT_TIMEOUT_MS: '300' } });
      const { email, password } = await kit.createUser();
      const shown = await sql<{ statementTimeout: string }>`show statement_timeout`.execute(kit.infra.db);
      expect(shown.rows[0]!.statementTimeout).toBe('300ms');

      // Another session (a migration, a batch job) locks the users table and keeps it.
      const locker = new Client({ connectionString: databaseUrl });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query(`lock table ${kit.schema!}.users in access exclusive mode`);
        const res = await request(kit.handler).post(API_ROUTES.login.path).send({ email, password });
        expect(res.status).toBe(503);
        expect((res.body as { error: { code: string } }).error.code).toBe('service_unavailable');
        // The lock is still ours: the answer came from the timeout, not from the lock ending.
        const still = await locker.query<{ granted: boolean }>(
          `select granted from pg_locks where pid = pg_backend_pid() and relation = '${kit.schema!}.users'::regclass and mode = 'AccessExclusiveLock'`,
        );
        expect(still.rows).toEqual([{ granted: true }]);
        await locker.query('commit');
      } finally {
        await locker.end();
      }
      await request(kit.handler).post(API_ROUTES.login.path).send({ email, password }).expect(200);
    });

    test('3 instances started at once on a fresh database: all become ready, and each migration is applied exactly once', async () => {
      const db = await scratchDatabase('postgres', databaseUrl);
      const env = {
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        DATABASE_URL: db.url,
        REDIS_URL: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
        PORT: '0',
      };
      // The test holds the migrator's lock while the instances start, so that they reach
      // their migrations together instead of one after another as Node happens to start
      // them: at least two are seen waiting for it (proof the lock is taken) before it is let go.
      const gate = new Client({ connectionString: db.url });
      await gate.connect();
      await gate.query(`select pg_advisory_lock(${KYSELY_MIGRATION_LOCK})`);
      const instances = [0, 1, 2].map(() => {
        const child = spawnBuilt('main', [], env);
        const out = { text: '' };
        child.stdout!.on('data', (d: Buffer) => (out.text += d.toString()));
        return { child, out, done: finished(child) };
      });
      try {
        await waitFor('two instances waiting for the migration lock', async () => {
          const waiting = await gate.query<{ n: number }>(
            `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`,
          );
          return waiting.rows[0]!.n >= 2;
        });
        await gate.end();
        for (const { out } of instances) await until(() => /"port":\d+/.test(out.text), 'the listening line');
        for (const { out } of instances) {
          const port = Number(/"port":(\d+)/.exec(out.text)![1]);
          await request(`http://127.0.0.1:${port}`).get('/readyz').expect(200);
        }
        // What each instance says it applied: together, every migration once.
        const applied = instances.flatMap(({ out }) =>
          out.text
            .split('\n')
            .filter((line) => line.includes('database migrated'))
            .flatMap((line) => (JSON.parse(line) as { applied: string[] }).applied),
        );
        const all = Object.keys(migrations).sort();
        expect(applied.sort()).toEqual(all);

        const client = new Client({ connectionString: db.url });
        await client.connect();
        try {
          const rows = await client.query<{ name: string; times: number }>(
            'select name, count(*)::int as times from kysely_migration group by name order by name',
          );
          expect(rows.rows).toEqual(all.map((name) => ({ name, times: 1 })));
        } finally {
          await client.end();
        }
      } finally {
        await gate.end().catch(() => undefined);
        for (const { child } of instances) child.kill('SIGTERM');
        await Promise.all(instances.map((i) => i.done));
        await db.drop();
      }
    });
  });
