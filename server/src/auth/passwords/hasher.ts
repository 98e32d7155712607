import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { lowerThreadPoolPriority } from './background-threads';
import { Limiter } from './limiter';

export interface HashParams {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  readonly params: HashParams;
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same work as `verify` against a hash no password matches, so that an
   *  unknown email costs what a wrong password costs (no timing oracle). */
  verifyDummy(password: string): Promise<false>;
  needsRehash(hash: string): boolean;
}

/** argon2id with the configured cost. One object, so tests can count its calls. */
export async function createPasswordHasher(params: HashParams, concurrency = Math.max(1, availableParallelism() - 1)): Promise<PasswordHasher> {
  const options = { type: argon2.argon2id as 2, memoryCost: params.memoryKiB, timeCost: params.timeCost, parallelism: params.parallelism };
  const limiter = new Limiter(concurrency, 256);
  const dummyHash = await argon2.hash('cloakroom-dummy-password-never-matches', options);
  await lowerThreadPoolPriority(() => argon2.hash('cloakroom-dummy-password-never-matches', options));

  const verify = (hash: string, password: string) =>
    limiter.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false; // a malformed stored hash verifies nothing
      }
    });

  return {
    params,
    hash: (password) => limiter.run(() => argon2.hash(password, options)),
    verify,
    async verifyDummy(password) {
      await verify(dummyHash, password);
      return false;
    },
    needsRehash: (hash) => argon2.needsRehash(hash, options),
  };
}
