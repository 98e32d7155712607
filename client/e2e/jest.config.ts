import type { Config } from 'jest';

/** `npm run test:e2e`: the browser suite, one file after another (two cores: a file
 *  starts an API, a client and a browser). Screenshots of failures: test-results/e2e/. */
const config: Config = {
  rootDir: '.',
  displayName: 'e2e',
  testMatch: ['<rootDir>/**/*.e2e.ts'],
  testEnvironment: '<rootDir>/environment.ts',
  globalSetup: '<rootDir>/global-setup.ts',
  transform: { '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: '<rootDir>/../../tsconfig.jest.json' }] },
  // otplib's base32 and hash plugins ship only as ES modules: transpiled like our own code.
  transformIgnorePatterns: ['/node_modules/(?!.*(@scure/base|@noble/hashes)/)'],
  moduleNameMapper: { '^@cloakroom/shared$': '<rootDir>/../../shared/src/index.ts' },
  testTimeout: 60_000,
  maxWorkers: 1,
};

export default config;
