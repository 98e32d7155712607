import { createHash } from 'node:crypto';
import type { Redis } from './client';

/** A script the code defines, as the registry lists it. */
export interface DefinedScript {
  name: string;
  source: string;
  /** Successful runs in this process (the Cluster test checks every script ran). */
  runs: number;
}

const registry: DefinedScript[] = [];

/** Every Lua script the code defines, in definition order. On Redis Cluster each must
 *  touch one hash slot only; test/topologies/every-script.test.ts runs them all on a
 *  real Cluster to prove it. */
export function definedScripts(): readonly DefinedScript[] {
  return registry;
}

/** A Lua script sent by SHA after the first call. Redis forgets loaded scripts when it
 *  restarts (or a replica is promoted that never saw it), so NOSCRIPT falls back to
 *  sending the source once more. On Redis Cluster the client sends it to the node of
 *  its first key; every key it touches must be in that key's slot (redis/keys.ts). */
export function defineScript(name: string, source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  const entry: DefinedScript = { name, source, runs: 0 };
  registry.push(entry);
  return async (client: Redis, keys: string[], args: string[]): Promise<unknown> => {
    let reply: unknown;
    try {
      reply = await client.evalSha(sha, { keys, arguments: args });
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      reply = await client.eval(source, { keys, arguments: args });
    }
    entry.runs++;
    return reply;
  };
}
