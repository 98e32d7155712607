import { createHash } from 'node:crypto';
import type { Redis } from './client';

/** A Lua script sent by SHA after the first call. Redis forgets loaded scripts when it
 *  restarts, so NOSCRIPT falls back to sending the source once more. */
export function defineScript(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (client: Redis, keys: string[], args: string[]): Promise<unknown> => {
    try {
      return await client.evalSha(sha, { keys, arguments: args });
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(source, { keys, arguments: args });
    }
  };
}
