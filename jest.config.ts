import type { Config } from 'jest';

/** One Jest entry, one project per workspace. Tests are transpiled (not type-checked:
 *  `npm run typecheck` does that) to CommonJS. */
const transform: Config['transform'] = {
  '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.jest.json' }],
};

const moduleNameMapper = {
  '^@cloakroom/shared$': '<rootDir>/../shared/src/index.ts',
  '^@cloakroom/server$': '<rootDir>/../server/src/index.ts',
  '^@cloakroom/server/testing$': '<rootDir>/../server/testing/index.ts',
};

export const common = {
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  // Build outputs hold copies of package.json files (Next's standalone tree): left in the
  // module map, they collide with the real ones ("haste module naming collision").
  modulePathIgnorePatterns: ['<rootDir>/.next', '<rootDir>/dist/', '<rootDir>/server/dist/'],
};

const config: Config = {
  projects: [
    { ...common, displayName: 'shared', rootDir: 'shared', testMatch: ['<rootDir>/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'server',
      rootDir: 'server',
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
      // Tiers of their own (jest.tiers.config.ts): they start Redis Clusters, Sentinels,
      // HAProxy and several API processes.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/topologies/', '<rootDir>/test/scale/'],
    },
    {
      ...common,
      displayName: 'client',
      rootDir: 'client',
      testMatch: ['<rootDir>/**/*.test.ts', '<rootDir>/**/*.test.tsx'],
      testPathIgnorePatterns: ['/node_modules/', '/\\.next[^/]*/', '/e2e/'],
      moduleNameMapper: { ...moduleNameMapper, '^server-only$': '<rootDir>/../node_modules/next/dist/compiled/server-only/empty.js' },
    },
  ],
};

export default config;
