/**
 * Redis topologies started by the tests themselves from `redis-server` on free ports (no
 * Docker): a 3-master/3-replica Cluster and a master/replica pair watched by 3 Sentinels.
 * Every process is killed and every data folder removed by `stop()`, and by an exit hook
 * if a run dies before its afterAll.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deadPort, waitFor } from '../../helpers/processes';

const run = promisify(execFile);

/** One redis-server (or Sentinel) process that the test may kill and start again. */
export interface RedisNode {
  port: number;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
  start(): Promise<void>;
  alive(): boolean;
}

const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of everyChild) child.kill('SIGKILL');
});

/** Sends one command with redis-cli; its reply as text. */
export async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

function node(port: number, dir: string, args: string[]): RedisNode {
  let child: ChildProcess | undefined;
  const self: RedisNode = {
    port,
    alive: () => !!child && child.exitCode === null && child.signalCode === null,
    async start() {
      child = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
      everyChild.add(child);
      await waitFor(`redis on ${port}`, async () => (await cli(port, 'PING')) === 'PONG', 10_000);
    },
    async kill() {
      const c = child;
      if (!c || !self.alive()) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await exited;
      everyChild.delete(c);
    },
  };
  return self;
}

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cloakroom-${name}-`));
}

export interface RedisCluster {
  nodes: RedisNode[];
  /** REDIS_CLUSTER_NODES for the API. */
  env: Record<string, string>;
  /** The node that is master of `key`'s hash slot now. */
  masterOf(key: string): Promise<RedisNode>;
  /** Resolves once every slot is served by a live master again. */
  healthy(): Promise<void>;
  stop(): Promise<void>;
}

/** Three masters, one replica each (`redis-cli --cluster create … --cluster-replicas 1`).
 *  A failed master's replica is promoted after `cluster-node-timeout` (1 s here). */
export async function startCluster(): Promise<RedisCluster> {
  const root = tempDir('cluster');
  const nodes: RedisNode[] = [];
  for (let i = 0; i < 6; i++) {
    const port = await deadPort();
    const dir = path.join(root, String(port));
    fs.mkdirSync(dir);
    nodes.push(
      node(port, dir, [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '1000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--logfile',
        'redis.log',
      ]),
    );
  }
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 30_000,
    });
    const healthy = () =>
      waitFor('the Cluster to serve every slot', async () => {
        const live = nodes.filter((n) => n.alive());
        const states = await Promise.all(live.map((n) => cli(n.port, 'CLUSTER', 'INFO')));
        return states.every((s) => s.includes('cluster_state:ok'));
      });
    await healthy();
    // Replicas have synced: each master reports one online replica.
    await waitFor('every replica to sync', async () => {
      const roles = await Promise.all(nodes.map((n) => cli(n.port, 'INFO', 'replication')));
      return roles.filter((r) => r.includes('role:master')).every((r) => /connected_slaves:1/.test(r) && /state=online/.test(r));
    });
    return {
      nodes,
      env: {
        REDIS_CLUSTER_NODES: nodes
          .slice(0, 3)
          .map((n) => `127.0.0.1:${n.port}`)
          .join(','),
      },
      async masterOf(key) {
        const live = nodes.find((n) => n.alive())!;
        const slot = Number(await cli(live.port, 'CLUSTER', 'KEYSLOT', key));
        const table = await cli(live.port, 'CLUSTER', 'NODES');
        for (const line of table.split('\n')) {
          const [, address, flags, , , , , state, ...ranges] = line.split(' ');
          if (!flags!.includes('master') || flags!.includes('fail') || state !== 'connected') continue;
          const port = Number(address!.split('@')[0]!.split(':')[1]);
          for (const range of ranges) {
            const [from, to = from] = range.split('-').map(Number);
            if (slot >= from! && slot <= to!) return nodes.find((n) => n.port === port)!;
          }
        }
        throw new Error(`no master serves slot ${slot}`);
      },
      healthy,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface RedisSentinelSet {
  master: RedisNode;
  replica: RedisNode;
  sentinels: RedisNode[];
  name: string;
  /** REDIS_SENTINELS and REDIS_SENTINEL_NAME for the API. */
  env: Record<string, string>;
  /** The port of the master the Sentinels name now. */
  currentMaster(): Promise<number>;
  stop(): Promise<void>;
}

/** A master, its replica and 3 Sentinels (quorum 2) that declare the master down after
 *  1 s without answers and promote the replica. */
export async function startSentinelSet(): Promise<RedisSentinelSet> {
  const root = tempDir('sentinel');
  const name = 'cloakroom';
  const dataNode = async (extra: string[] = []) => {
    const port = await deadPort();
    const dir = path.join(root, String(port));
    fs.mkdirSync(dir);
    return node(port, dir, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', 'redis.log', ...extra]);
  };
  const master = await dataNode();
  const replica = await dataNode(['--replicaof', '127.0.0.1', String(master.port)]);
  const sentinels: RedisNode[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await deadPort();
    const dir = path.join(root, `sentinel-${port}`);
    fs.mkdirSync(dir);
    const conf = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'logfile sentinel.log',
        `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    sentinels.push(node(port, dir, [conf, '--sentinel']));
  }
  const all = [master, replica, ...sentinels];
  const stop = async () => {
    await Promise.all(all.map((n) => n.kill()));
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await master.start();
    await replica.start();
    await waitFor('the replica to sync', async () => (await cli(replica.port, 'INFO', 'replication')).includes('master_link_status:up'));
    await Promise.all(sentinels.map((s) => s.start()));
    await waitFor('the Sentinels to know the replica and each other', async () => {
      const seen = await Promise.all(
        sentinels.map(async (s) => [
          (await cli(s.port, 'SENTINEL', 'REPLICAS', name)).includes(String(replica.port)),
          (await cli(s.port, 'SENTINEL', 'SENTINELS', name)).split('\n').filter((l) => l === 'ip').length,
        ]),
      );
      return seen.every(([knowsReplica, peers]) => knowsReplica === true && peers === 2);
    });
    return {
      master,
      replica,
      sentinels,
      name,
      env: { REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), REDIS_SENTINEL_NAME: name },
      async currentMaster() {
        const live = sentinels.find((s) => s.alive())!;
        const reply = await cli(live.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
        return Number(reply.split('\n')[1]);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
