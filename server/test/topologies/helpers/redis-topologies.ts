/**
 * Redis topologies started by the tests themselves from `redis-server` on free ports (no
 * Docker): a 3-master/3-replica Cluster and a master/replica pair watched by 3 Sentinels,
 * either open or behind passwords (an ACL user on request) and TLS (RedisSecurity).
 * Every process is killed and every data folder removed by `stop()`, and by an exit hook
 * if a run dies before its afterAll.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deadPort, waitFor } from '../../helpers/processes';
import type { TestCertificates } from './certificates';

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

/** How redis-cli reaches a node that wants a password or TLS (set by the topology that
 *  started it), so callers of `cli` need not know. */
const cliAccess = new Map<number, string[]>();

/** Sends one command with redis-cli; its reply as text. */
export async function cli(port: number, ...args: string[]): Promise<string> {
  const access = cliAccess.get(port) ?? [];
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...access, ...args], { timeout: 10_000 });
  return stdout.trim();
}

/** What a topology's nodes demand of a client. All optional: none, a plain open topology. */
export interface RedisSecurity {
  /** The data nodes' password: `requirepass` (and `masterauth` for replication), or an ACL
   *  user's with `user` (the default user is then switched off). */
  password?: string;
  user?: string;
  /** Sentinel only: the Sentinels' own `requirepass`. */
  sentinelPassword?: string;
  /** TLS only (`port 0`, `tls-port`), replication and the Cluster bus included. */
  tls?: TestCertificates;
}

/** redis-server arguments for the data nodes' password and TLS. */
function serverSecurity(port: number, security: RedisSecurity): string[] {
  const args: string[] = [];
  if (security.password !== undefined && security.user !== undefined) {
    args.push('--user', 'default', 'off', '--user', security.user, 'on', `>${security.password}`, '~*', '&*', '+@all');
    args.push('--masteruser', security.user, '--masterauth', security.password);
  } else if (security.password !== undefined) {
    args.push('--requirepass', security.password, '--masterauth', security.password);
  }
  return [...args, ...tlsArgs(port, security.tls)];
}

function tlsArgs(port: number, tls: TestCertificates | undefined): string[] {
  if (!tls) return ['--port', String(port)];
  return [
    '--port',
    '0',
    '--tls-port',
    String(port),
    '--tls-cert-file',
    tls.certFile,
    '--tls-key-file',
    tls.keyFile,
    '--tls-ca-cert-file',
    tls.caFile,
    // Clients prove nothing with a certificate (as with a managed Redis): the password does.
    '--tls-auth-clients',
    'no',
    '--tls-replication',
    'yes',
    '--tls-cluster',
    'yes',
  ];
}

function cliArgs(password: string | undefined, user: string | undefined, tls: TestCertificates | undefined): string[] {
  return [
    ...(user !== undefined ? ['--user', user] : []),
    ...(password !== undefined ? ['-a', password, '--no-auth-warning'] : []),
    ...(tls ? ['--tls', '--cacert', tls.caFile] : []),
  ];
}

/** REDIS_PASSWORD and the rest, as the API needs them to reach such a topology. */
function securityEnv(security: RedisSecurity): Record<string, string> {
  const env: Record<string, string> = {};
  if (security.user !== undefined) env.REDIS_USERNAME = security.user;
  if (security.password !== undefined) env.REDIS_PASSWORD = security.password;
  if (security.sentinelPassword !== undefined) env.REDIS_SENTINEL_PASSWORD = security.sentinelPassword;
  if (security.tls) Object.assign(env, { REDIS_TLS: 'true', REDIS_TLS_CA_FILE: security.tls.caFile });
  return env;
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
export async function startCluster(security: RedisSecurity = {}): Promise<RedisCluster> {
  const root = tempDir('cluster');
  const nodes: RedisNode[] = [];
  const access = cliArgs(security.password, security.user, security.tls);
  for (let i = 0; i < 6; i++) {
    const port = await deadPort();
    const dir = path.join(root, String(port));
    fs.mkdirSync(dir);
    cliAccess.set(port, access);
    nodes.push(
      node(port, dir, [
        ...serverSecurity(port, security),
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
    for (const n of nodes) cliAccess.delete(n.port);
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await run('redis-cli', [...access, '--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
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
        ...securityEnv(security),
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
export async function startSentinelSet(security: RedisSecurity = {}): Promise<RedisSentinelSet> {
  const root = tempDir('sentinel');
  const name = 'cloakroom';
  const dataNode = async (extra: string[] = []) => {
    const port = await deadPort();
    const dir = path.join(root, String(port));
    fs.mkdirSync(dir);
    cliAccess.set(port, cliArgs(security.password, security.user, security.tls));
    return node(port, dir, [...serverSecurity(port, security), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', 'redis.log', ...extra]);
  };
  const master = await dataNode();
  const replica = await dataNode(['--replicaof', '127.0.0.1', String(master.port)]);
  const sentinels: RedisNode[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await deadPort();
    const dir = path.join(root, `sentinel-${port}`);
    fs.mkdirSync(dir);
    const conf = path.join(dir, 'sentinel.conf');
    cliAccess.set(port, cliArgs(security.sentinelPassword, undefined, security.tls));
    const tls = security.tls;
    fs.writeFileSync(
      conf,
      [
        ...(tls
          ? [`port 0`, `tls-port ${port}`, `tls-cert-file ${tls.certFile}`, `tls-key-file ${tls.keyFile}`, `tls-ca-cert-file ${tls.caFile}`]
          : [`port ${port}`]),
        // A Sentinel talks TLS to the data nodes only when told (`tls-replication`).
        ...(tls ? ['tls-auth-clients no', 'tls-replication yes'] : []),
        'bind 127.0.0.1',
        'logfile sentinel.log',
        // Its own password, which it also gives the other Sentinels (they share it).
        ...(security.sentinelPassword !== undefined ? [`requirepass ${security.sentinelPassword}`, `sentinel sentinel-pass ${security.sentinelPassword}`] : []),
        `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
        ...(security.user !== undefined ? [`sentinel auth-user ${name} ${security.user}`] : []),
        ...(security.password !== undefined ? [`sentinel auth-pass ${name} ${security.password}`] : []),
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
    for (const n of all) cliAccess.delete(n.port);
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
      env: { REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), REDIS_SENTINEL_NAME: name, ...securityEnv(security) },
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
