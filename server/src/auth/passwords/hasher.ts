import { AsyncLocalStorage } from 'node:async_hooks';
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { lowerThreadPoolPriority } from './background-threads';
import { Limiter } from './limiter';
import { canonicalPhc, isCanonicalPhc } from './phc';

export interface HashParams {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  readonly params: HashParams;
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash is not what `hash` would write today: weaker parameters, or the
   *  parameters out of the PHC order. The caller rewrites it once the password is known. */
  needsRehash(hash: string): boolean;
  /** Spends the same work as `verify` against a hash no password matches, so that an
   *  unknown email costs what a wrong password costs (no timing oracle). */
  verifyDummy(password: string): Promise<false>;
}

/** Who the hashing in this async context is done for (the client address), so the queue
 *  can take requesters in turn: `hashingFor.run(address, work)`. Work outside any such
 *  context (the command-line tools) shares one turn. */
export const hashingFor = new AsyncLocalStorage<string>();

/** argon2id with the configured cost, written as canonical PHC strings. One object, so
 *  tests can count its calls. */
export async function createPasswordHasher(params: HashParams, concurrency = Math.max(1, availableParallelism() - 1)): Promise<PasswordHasher> {
  const options = { type: argon2.argon2id as 2, memoryCost: params.memoryKiB, timeCost: params.timeCost, parallelism: params.parallelism };
  const limiter = new Limiter(concurrency, 256);
  const dummyHash = await argon2.hash('cloakroom-dummy-password-never-matches', options);
  await lowerThreadPoolPriority(() => argon2.hash('cloakroom-dummy-password-never-matches', options));

  const queued = <T>(task: () => Promise<T>) => limiter.run(task, hashingFor.getStore());
  const verify = (hash: string, password: string) =>
    queued(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false; // a malformed stored hash verifies nothing
      }
    });

  return {
    params,
    hash: (password) => queued(async () => canonicalPhc(await argon2.hash(password, options))),
    verify,
    async verifyDummy(password) {
      await verify(dummyHash, password);
      return false;
    },
    needsRehash: (hash) => !isCanonicalPhc(hash) || argon2.needsRehash(hash, options),
  };
}
