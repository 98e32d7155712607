import os from 'node:os';
import type { Config } from 'jest';

/**
 * One Jest entry, one project per test tier. A file's tier is where it lives
 * (docs/testing.md, "Test tiers"):
 *   unit         shared/src/, server/test/unit/, client/ (but client/test/ and e2e/):
 *                no Redis, no database; `npm run test:unit` runs in seconds;
 *   integration  server/test/ (but unit/, faults/, fuzz/) and client/test/: the real app
 *                from the test kit over a real Redis and database, real processes;
 *   faults       server/test/faults/ and server/test/fuzz/: Redis servers of their own
 *                killed and paused, a relay that cuts PostgreSQL, generated requests.
 * `npm test` runs all three. Tests are transpiled (not type-checked: `npm run typecheck`
 * does that) to CommonJS.
 */
const transform: Config['transform'] = {
  '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
};

const moduleNameMapper = {
  '^@cloakroom/shared$': '<rootDir>/shared/src/index.ts',
  '^@cloakroom/server$': '<rootDir>/server/src/index.ts',
  '^@cloakroom/server/testing$': '<rootDir>/server/testing/index.ts',
  // Next's marker module, for client code that imports it.
  '^server-only$': '<rootDir>/node_modules/next/dist/compiled/server-only/empty.js',
};

export const common = {
  rootDir: '.',
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  // otplib's base32 and hash plugins ship only as ES modules, which Jest's CommonJS
  // runtime cannot require (Node itself can): transpile those two like our own code.
  transformIgnorePatterns: ['/node_modules/(?!.*(@scure/base|@noble/hashes)/)'],
  // Build outputs hold copies of package.json files (Next's standalone tree): left in the
  // module map, they collide with the real ones ("haste module naming collision").
  modulePathIgnorePatterns: ['<rootDir>/client/\\.next', '<rootDir>/client/dist/', '<rootDir>/server/dist/', '<rootDir>/server/testing/dist/'],
};

export const tests = ['**/*.test.ts', '**/*.test.tsx'];

const config: Config = {
  // The integration and fault suites often wait (on Redis, child processes, timers): a
  // worker per core keeps both cores of a small machine busy. Every test app has its own
  // Redis prefix, database and ports, so files run side by side safely.
  maxWorkers: Math.max(2, os.availableParallelism()),
  // Starting a real app (Redis, a database, migrations) in a hook can take more than
  // Jest's 5 s on a loaded machine; a test never asserts how long it took.
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/shared/src', '<rootDir>/server/test/unit', '<rootDir>/client'],
      testMatch: tests,
      testPathIgnorePatterns: ['/node_modules/', '/client/\\.next[^/]*/', '/client/e2e/', '/client/test/'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/server/test', '<rootDir>/client/test'],
      testMatch: tests,
      // topologies/ and scale/ are tiers of their own (jest.tiers.config.ts): they start
      // Redis Clusters, Sentinels, HAProxy and several API processes.
      testPathIgnorePatterns: ['/node_modules/', '/server/test/(unit|faults|fuzz|topologies|scale)/'],
      globalSetup: '<rootDir>/server/test/helpers/build.ts',
    },
    {
      ...common,
      displayName: 'faults',
      roots: ['<rootDir>/server/test/faults', '<rootDir>/server/test/fuzz'],
      testMatch: tests,
      globalSetup: '<rootDir>/server/test/helpers/build.ts',
    },
  ],
};

export default config;
