/**
 * The API on topologies that want credentials, as production ones do: a Sentinel set whose
 * master and replica admit only an ACL user and whose Sentinels have a password of their
 * own, and a Cluster that speaks only TLS (certificates from a throwaway private CA) with
 * `requirepass`/`masterauth` on every node. Users sign in and are served through each; a
 * wrong or missing password, or a CA the API was not given, stops start-up with one line
 * naming the cause and the variable to set, and no password in it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { StartupError } from '../../src/startup';
import { makeCertificates } from './helpers/certificates';
import { startCluster, startSentinelSet, type RedisCluster, type RedisSentinelSet } from './helpers/redis-topologies';
import { SUITE_ENV } from './suite';

const DATA_PASSWORD = 'data-nodes-passphrase-7f3a';
const SENTINEL_PASSWORD = 'sentinels-passphrase-91bc';
const WRONG_PASSWORD = 'not-the-passphrase-0d2e';

/** What an operator sees when the API cannot start: the StartupError's one line. */
async function startFailure(env: Record<string, string>): Promise<string> {
  // Mail to the log: no SMTP catcher is started for an app that never comes up.
  const started = createTestApp({ env: { ...env, MAIL_TRANSPORT: 'log' } });
  const err = await started.then(
    async (kit) => {
      await kit.close();
      throw new Error('the API started');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StartupError);
  const message = (err as Error).message;
  expect(message).not.toContain('\n');
  for (const secret of [DATA_PASSWORD, SENTINEL_PASSWORD, WRONG_PASSWORD]) expect(message).not.toContain(secret);
  return message;
}

/** Sign-in, /api/me on the fast path and through Express, the session list, sign-out. */
async function servesSignedInUsers(kit: TestApp): Promise<void> {
  const who = await kit.signedInAgent();
  const me = await who.agent.get('/api/me').expect(200);
  expect(me.body.user.email).toBe(who.email);
  expect((await who.agent.get('/api/me?via=express').expect(200)).body).toEqual(me.body);
  expect((await who.agent.get('/api/auth/sessions').expect(200)).body.sessions).toHaveLength(1);
  await who.agent.post('/api/auth/logout').expect(204);
  await who.agent.get('/api/me').expect(401);
}

describe('a Sentinel set: an ACL user on the master and replica, a password of their own on the Sentinels', () => {
  let sentinel: RedisSentinelSet;
  let kit: TestApp;
  beforeAll(async () => {
    sentinel = await startSentinelSet({ user: 'cloakroom', password: DATA_PASSWORD, sentinelPassword: SENTINEL_PASSWORD });
    kit = await createTestApp({ env: { ...SUITE_ENV, ...sentinel.env }, captureLogs: true });
  }, 120_000);
  afterAll(async () => {
    await kit?.close();
    await sentinel?.stop();
  });

  test('readiness, sign-in, /api/me, the session list and sign-out go through it', async () => {
    expect(sentinel.env).toMatchObject({ REDIS_USERNAME: 'cloakroom', REDIS_PASSWORD: DATA_PASSWORD, REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD });
    await kit.agent().get('/readyz').expect(200);
    await servesSignedInUsers(kit);
    expect(kit.logs()).toContain('/api/auth/login');
    expect(kit.logs()).not.toContain(DATA_PASSWORD);
    expect(kit.logs()).not.toContain(SENTINEL_PASSWORD);
  });

  test("a wrong password for the master: WRONGPASS, from the master, and the data nodes' variables to check", async () => {
    const line = await startFailure({ ...sentinel.env, REDIS_PASSWORD: WRONG_PASSWORD });
    expect(line).toMatch(/refused the connection: Master Client \(127\.0\.0\.1:\d+\): WRONGPASS/);
    expect(line).toContain("Check REDIS_USERNAME and REDIS_PASSWORD (the master's and replicas' credentials)");
  });

  test('no password for the Sentinels: NOAUTH, and REDIS_SENTINEL_PASSWORD to set', async () => {
    const { REDIS_SENTINEL_PASSWORD: _, ...withoutIt } = sentinel.env;
    const line = await startFailure(withoutIt);
    expect(line).toMatch(/^Redis at sentinel:\/\/127\.0\.0\.1:\d+,.* refused the connection: NOAUTH/);
    expect(line).toContain('set REDIS_SENTINEL_PASSWORD');
  });

  test("a wrong password for the Sentinels: WRONGPASS, and the Sentinels' variables to check", async () => {
    const line = await startFailure({ ...sentinel.env, REDIS_SENTINEL_PASSWORD: WRONG_PASSWORD });
    expect(line).toContain('WRONGPASS');
    expect(line).toContain("Check REDIS_SENTINEL_USERNAME and REDIS_SENTINEL_PASSWORD (the Sentinels' own credentials)");
  });
});

describe('a TLS-only Cluster (a private CA), requirepass and masterauth on every node', () => {
  let certificates: string;
  let cluster: RedisCluster;
  let kit: TestApp;
  beforeAll(async () => {
    certificates = fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-ca-'));
    cluster = await startCluster({ password: DATA_PASSWORD, tls: await makeCertificates(certificates) });
    kit = await createTestApp({ env: { ...SUITE_ENV, ...cluster.env } });
  }, 120_000);
  afterAll(async () => {
    await kit?.close();
    await cluster?.stop();
    fs.rmSync(certificates, { recursive: true, force: true });
  });

  test('readiness, sign-in, /api/me, the session list and sign-out go through it', async () => {
    expect(cluster.env).toMatchObject({ REDIS_PASSWORD: DATA_PASSWORD, REDIS_TLS: 'true' });
    await kit.agent().get('/readyz').expect(200);
    await servesSignedInUsers(kit);
  });

  test('a wrong password: WRONGPASS, and the variables to check', async () => {
    const line = await startFailure({ ...cluster.env, REDIS_PASSWORD: WRONG_PASSWORD });
    expect(line).toMatch(/^Redis at cluster:\/\/127\.0\.0\.1:\d+,.* refused the connection: WRONGPASS/);
    expect(line).toContain("Check REDIS_USERNAME and REDIS_PASSWORD (the Cluster nodes' credentials)");
  });

  test('no password: NOAUTH, and REDIS_PASSWORD to set', async () => {
    const { REDIS_PASSWORD: _, ...withoutIt } = cluster.env;
    const line = await startFailure(withoutIt);
    expect(line).toContain('refused the connection: NOAUTH');
    expect(line).toContain('set REDIS_PASSWORD');
  });

  test('without the private CA: the certificate is not trusted, and REDIS_TLS_CA_FILE to set', async () => {
    const { REDIS_TLS_CA_FILE: _, ...withoutIt } = cluster.env;
    const line = await startFailure(withoutIt);
    // Redis sends its CA along with its certificate: Node sees a chain it cannot anchor.
    expect(line).toMatch(/its TLS certificate is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE):/);
    expect(line).toContain('set REDIS_TLS_CA_FILE');
  });

  test('without REDIS_TLS: the nodes do not answer as Redis, and REDIS_TLS=true is named', async () => {
    const { REDIS_TLS: _, REDIS_TLS_CA_FILE: __, ...plain } = cluster.env;
    const line = await startFailure(plain);
    expect(line).toMatch(/did not answer as Redis .* a TLS port \(REDIS_TLS=true\)\. Check REDIS_CLUSTER_NODES\./);
  });
});

describe('a TLS-only Sentinel set (a private CA) with the same passwords', () => {
  let certificates: string;
  let sentinel: RedisSentinelSet;
  let kit: TestApp;
  beforeAll(async () => {
    certificates = fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-ca-'));
    sentinel = await startSentinelSet({ password: DATA_PASSWORD, sentinelPassword: SENTINEL_PASSWORD, tls: await makeCertificates(certificates) });
    kit = await createTestApp({ env: { ...SUITE_ENV, ...sentinel.env } });
  }, 120_000);
  afterAll(async () => {
    await kit?.close();
    await sentinel?.stop();
    fs.rmSync(certificates, { recursive: true, force: true });
  });

  test('readiness, sign-in, /api/me, the session list and sign-out go through it', async () => {
    expect(sentinel.env).toMatchObject({ REDIS_TLS: 'true', REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD });
    await kit.agent().get('/readyz').expect(200);
    await servesSignedInUsers(kit);
  });
});
