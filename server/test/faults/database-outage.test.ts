/**
 * The user database stops taking writes (SQLite: another connection holds the write
 * lock; in WAL mode readers are never blocked) or goes away entirely (PostgreSQL behind a
 * TCP relay the test cuts). What needs the database answers 503 service_unavailable in
 * the contract's shape, nothing is half-written (no user row, no session, no index
 * entry, no lockout count), and everything works again once the database is back,
 * without restarting the app.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { createTestApp, serve, testDatabases, type TestApp } from '@cloakroom/server/testing';
import { request, within } from './helpers/load';
import { tcpProxy, type TcpProxy } from './helpers/tcp-proxy';

interface Outage {
  databaseUrl: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  dispose(): Promise<void>;
}

async function sqliteOutage(): Promise<Outage> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-dbfault-'));
  const file = path.join(dir, 'users.db');
  let holder: SQLite.Database | undefined;
  return {
    databaseUrl: `sqlite:${file}`,
    async cut() {
      // A second connection takes the write lock and keeps it, as a long migration or a
      // stuck batch job would.
      holder = new SQLite(file);
      holder.exec('BEGIN EXCLUSIVE');
      holder.exec("UPDATE users SET name = name WHERE id = 'nobody'");
    },
    async restore() {
      holder?.exec('ROLLBACK');
      holder?.close();
      holder = undefined;
    },
    async dispose() {
      holder?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresOutage(url: string): Promise<Outage> {
  const target = new URL(url);
  const relay: TcpProxy = await tcpProxy(target.hostname, Number(target.port || 5432));
  const through = new URL(url);
  through.hostname = '127.0.0.1';
  through.port = String(relay.port);
  return { databaseUrl: through.toString(), cut: () => relay.cut(), restore: () => relay.restore(), dispose: () => relay.close() };
}

jest.setTimeout(20_000);

describe.each(testDatabases())('database unavailable ($name)', ({ name, databaseUrl }) => {
  let outage: Outage;
  let kit: TestApp;
  let http: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    outage = name === 'sqlite' ? await sqliteOutage() : await postgresOutage(databaseUrl);
    // A real lockout threshold (the kit's default is effectively off), so that counting
    // failed-over attempts would show.
    kit = await createTestApp({ databaseUrl: outage.databaseUrl, captureLogs: true, env: { LOCKOUT_THRESHOLD: '3' } });
    http = await serve(kit.handler);
  });

  afterAll(async () => {
    await outage?.restore();
    await http?.close();
    await kit?.close();
    await outage?.dispose();
  });

  const post = (p: string, body: object) =>
    request(http.base, p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const countUsers = async () =>
    Number(
      (
        await kit.infra.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const sessionKeys = async () => {
    const keys: string[] = [];
    for await (const batch of kit.infra.redis.scanIterator({ MATCH: `${kit.prefix}*`, COUNT: 500 })) keys.push(...batch.filter((k) => !k.includes(':rl:')));
    return keys.sort();
  };

  test('sign-up answers 503 and writes nothing; it works again once the database is back', async () => {
    const newcomer = { email: `new-${Date.now()}@example.test`, password: 'a long enough passphrase' };
    const usersBefore = await countUsers();
    const keysBefore = await sessionKeys();

    await outage.cut();
    const signUp = await post('/api/auth/register', newcomer);
    await outage.restore();

    expect(signUp).toMatchObject({ status: 503, code: 'service_unavailable' });
    // Nothing half-written: no user row, no session record or index entry in Redis.
    expect(await countUsers()).toBe(usersBefore);
    expect(await kit.services.users.findByEmail(newcomer.email)).toBeUndefined();
    expect(await sessionKeys()).toEqual(keysBefore);
    // Back without a restart (PostgreSQL's pool dials again).
    await within(5000, 'sign-up works again', async () => (await post('/api/auth/register', newcomer)).status === 201);
  });

  if (name === 'postgres') {
    test('sign-in answers 503 while the database is gone, leaves no session and no lockout count, and works again after', async () => {
      const who = await kit.createUser();
      const keysBefore = await sessionKeys();
      await outage.cut();
      const attempts = [];
      // More attempts than the lockout threshold: an outage must not lock anyone out.
      for (let i = 0; i < 5; i++) attempts.push(await post('/api/auth/login', { email: who.email, password: who.password }));
      await outage.restore();
      for (const a of attempts) expect(a).toMatchObject({ status: 503, code: 'service_unavailable' });
      expect(await sessionKeys()).toEqual(keysBefore);
      await within(5000, 'sign-in works again', async () => (await post('/api/auth/login', { email: who.email, password: who.password })).status === 200);
    });
  } else {
    test('sign-in still works while another connection holds the write lock (reading users takes no lock)', async () => {
      const who = await kit.createUser();
      await outage.cut();
      const signIn = await post('/api/auth/login', { email: who.email, password: who.password });
      await outage.restore();
      // Its audit line could not be written: dropped and logged, never a failed sign-in.
      expect(signIn.status).toBe(200);
      expect(kit.logs()).toMatch(/security event not recorded/);
    });
  }

  if (name === 'postgres') {
    test('/readyz says 503 while the database is gone and 200 once it is back', async () => {
      await outage.cut();
      const down = await request(http.base, '/readyz');
      await outage.restore();
      expect(down).toMatchObject({ status: 503, code: 'service_unavailable' });
      await within(5000, '/readyz 200 again', async () => (await request(http.base, '/readyz')).status === 200);
    });
  }
});
