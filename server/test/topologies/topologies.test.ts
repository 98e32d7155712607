/**
 * The API on a Redis Cluster (3 masters, 3 replicas) and on a Sentinel set (master,
 * replica, 3 Sentinels), both started here from redis-server: the representative suite
 * passes on each, and on the Cluster every Lua script the code defines runs without a
 * CROSSSLOT (each touches one hash slot, redis/keys.ts).
 */
import { createTestApp, type TestApp } from '@cloakroom/server/testing';
import { definedScripts } from '@cloakroom/server';
import { startCluster, startSentinelSet, type RedisCluster, type RedisSentinelSet } from './helpers/redis-topologies';
import { representativeSuite, SUITE_ENV } from './suite';

describe('on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let kit: TestApp;
  beforeAll(async () => {
    cluster = await startCluster();
    kit = await createTestApp({ env: { ...SUITE_ENV, ...cluster.env }, captureLogs: true });
    for (const script of definedScripts()) script.runs = 0;
  }, 120_000);
  afterAll(async () => {
    await kit?.close();
    await cluster?.stop();
  });

  representativeSuite(() => kit);

  test('every script the code defines ran on the Cluster, and none crossed slots', () => {
    const scripts = definedScripts();
    expect(scripts.length).toBeGreaterThanOrEqual(8);
    expect(scripts.filter((s) => s.runs === 0).map((s) => s.name)).toEqual([]);
    expect(kit.logs()).not.toMatch(/CROSSSLOT|different slot|same slot/i);
  });
});

describe('on a Redis Sentinel set', () => {
  let sentinel: RedisSentinelSet;
  let kit: TestApp;
  beforeAll(async () => {
    sentinel = await startSentinelSet();
    kit = await createTestApp({ env: { ...SUITE_ENV, ...sentinel.env } });
  }, 120_000);
  afterAll(async () => {
    await kit?.close();
    await sentinel?.stop();
  });

  representativeSuite(() => kit);
});
