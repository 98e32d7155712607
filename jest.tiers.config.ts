import type { Config } from 'jest';
import { common, tests } from './jest.config';

/** The slow tiers, kept out of `npm test`: `npm run test:topologies` (the API on a Redis
 *  Cluster and a Sentinel set, failover included) and `npm run test:scale` (several API
 *  processes behind HAProxy). Both start their own redis-server, Sentinel, HAProxy and
 *  API processes on free ports, so they run one file at a time (--runInBand). */
const config: Config = {
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'topologies', roots: ['<rootDir>/server/test/topologies'], testMatch: tests },
    // The API processes run the built server (server/dist), built once by the setup.
    { ...common, displayName: 'scale', roots: ['<rootDir>/server/test/scale'], testMatch: tests, globalSetup: '<rootDir>/server/test/helpers/build.ts' },
  ],
};

export default config;
