import type { Config } from 'jest';

/** `npm run test:e2e`: the browser suite, one file after another (two cores: a file
 *  starts an API, a client and a browser). Screenshots of failures: test-results/e2e/. */
const config: Config = {
  rootDir: '.',
  displayName: 'e2e',
  testMatch: ['<rootDir>/**/*.e2e.ts'],
  testEnvironment: '<rootDir>/environment.ts',
  globalSetup: '<rootDir>/global-setup.ts',
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/../../tsconfig.jest.json' }] },
  moduleNameMapper: { '^@cloakroom/shared$': '<rootDir>/../../shared/src/index.ts' },
  testTimeout: 60_000,
  maxWorkers: 1,
};

export default config;
