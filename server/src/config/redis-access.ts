import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config-error';

/**
 * Credentials and TLS for a Sentinel set or a Cluster. REDIS_URL carries its own
 * (`rediss://user:password@host`); REDIS_SENTINELS and REDIS_CLUSTER_NODES are lists of
 * host:port, so these variables say what a URL would have said, for every node.
 */
export interface RedisAccess {
  /** AUTH of the data nodes: the Cluster's nodes, or the master and replicas behind Sentinel. */
  nodes?: RedisCredentials;
  /** AUTH of the Sentinels themselves (often not the data nodes' password). */
  sentinels?: RedisCredentials;
  /** TLS on every connection, verified against `ca` (a private CA's PEM) or else Node's CA store. */
  tls?: { ca?: string };
}

export interface RedisCredentials {
  /** Unset: Redis's `default` user. */
  username?: string;
  password: string;
}

const text = () => z.string().min(1).optional();

export const redisAccessEnvShape = {
  REDIS_USERNAME: text(),
  REDIS_PASSWORD: text(),
  REDIS_SENTINEL_USERNAME: text(),
  REDIS_SENTINEL_PASSWORD: text(),
  REDIS_TLS: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).optional(),
  REDIS_TLS_CA_FILE: text(),
};

/** The variables as parsed (strings, unset ones absent). */
export type RedisAccessEnv = { [K in keyof typeof redisAccessEnvShape]?: string };

/** Variables whose value is a secret: never echoed in an error message. */
export const SECRET_REDIS_VARIABLES = ['REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD'];

function credentials(username: string | undefined, password: string | undefined, names: [string, string]): RedisCredentials | undefined {
  if (username !== undefined && password === undefined) throw new ConfigError(names[0], `needs ${names[1]} (Redis authenticates a user by its password)`);
  if (password === undefined) return undefined;
  return username === undefined ? { password } : { username, password };
}

/** A PEM file's text, or a ConfigError naming the variable. Read once, at start. */
function readCa(file: string): string {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('REDIS_TLS_CA_FILE', `cannot be read: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('REDIS_TLS_CA_FILE', `is not a PEM certificate file (${file})`);
  return pem;
}

/**
 * What the variables ask for, given the topology chosen (env.ts, redisTopology). Throws a
 * ConfigError for nonsense: credentials or REDIS_TLS beside REDIS_URL (the URL carries them),
 * Sentinel credentials without Sentinels, a user name without a password, a CA file
 * without TLS. Undefined when nothing is set.
 */
export function redisAccess(e: RedisAccessEnv, topology: { kind: 'single'; url: string } | { kind: 'sentinel' | 'cluster' }): RedisAccess | undefined {
  if (topology.kind === 'single') {
    for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD'] as const) {
      if (e[name] !== undefined)
        throw new ConfigError(
          name,
          'is for REDIS_SENTINELS or REDIS_CLUSTER_NODES, and neither is set; with REDIS_URL, put the user and password in the URL (rediss://user:password@host:port)',
        );
    }
    if (e.REDIS_TLS !== undefined)
      throw new ConfigError('REDIS_TLS', 'is for REDIS_SENTINELS or REDIS_CLUSTER_NODES, and neither is set; with REDIS_URL, use rediss:// for TLS');
    if (e.REDIS_TLS_CA_FILE === undefined) return undefined;
    // A private CA is the one thing a URL cannot carry: allowed for a rediss:// URL.
    if (!topology.url.startsWith('rediss://')) throw new ConfigError('REDIS_TLS_CA_FILE', 'is set, but REDIS_URL is not a rediss:// (TLS) URL');
    return { tls: { ca: readCa(e.REDIS_TLS_CA_FILE) } };
  }
  if (topology.kind === 'cluster') {
    for (const name of ['REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD'] as const) {
      if (e[name] !== undefined) throw new ConfigError(name, 'is set without REDIS_SENTINELS (a Cluster uses REDIS_USERNAME and REDIS_PASSWORD)');
    }
  }
  const tls = e.REDIS_TLS === 'true';
  if (e.REDIS_TLS_CA_FILE !== undefined && !tls) throw new ConfigError('REDIS_TLS_CA_FILE', 'is set, but REDIS_TLS is not "true"');
  const access: RedisAccess = {};
  const nodes = credentials(e.REDIS_USERNAME, e.REDIS_PASSWORD, ['REDIS_USERNAME', 'REDIS_PASSWORD']);
  const sentinels = credentials(e.REDIS_SENTINEL_USERNAME, e.REDIS_SENTINEL_PASSWORD, ['REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD']);
  if (nodes) access.nodes = nodes;
  if (sentinels) access.sentinels = sentinels;
  if (tls) access.tls = e.REDIS_TLS_CA_FILE === undefined ? {} : { ca: readCa(e.REDIS_TLS_CA_FILE) };
  return Object.keys(access).length ? access : undefined;
}
