import type { Config } from 'jest';
import { common } from './jest.config';

/** The slow tiers, kept out of `npm test`: `npm run test:topologies` (the API on a Redis
 *  Cluster and a Sentinel set, failover included) and `npm run test:scale` (several API
 *  processes behind HAProxy). Both start their own redis-server, Sentinel, HAProxy and
 *  API processes on free ports, so they run one file at a time (--runInBand). */
const config: Config = {
  projects: [
    { ...common, displayName: 'topologies', rootDir: 'server', testMatch: ['<rootDir>/test/topologies/**/*.test.ts'] },
    { ...common, displayName: 'scale', rootDir: 'server', testMatch: ['<rootDir>/test/scale/**/*.test.ts'] },
  ],
};

export default config;
