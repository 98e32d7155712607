import type { NextConfig } from 'next';
import { DEFAULT_API_INTERNAL_URL } from './lib/config';
import { HSTS_HEADER, STATIC_SECURITY_HEADERS } from './lib/static-headers';

/** The API's origin for the /api rewrite. Next fixes rewrites at build time, so the
 *  value is also compiled in for the start-up check in instrumentation.ts. */
const apiInternalUrl = (process.env.API_INTERNAL_URL?.trim() || DEFAULT_API_INTERNAL_URL).replace(/\/+$/, '');

const config: NextConfig = {
  output: 'standalone',
  // e2e builds into a folder of its own so it never replaces the build `npm start` runs.
  distDir: process.env.CLIENT_DIST_DIR || '.next',
  poweredByHeader: false,
  reactStrictMode: true,
  env: { CLOAKROOM_BUILT_API_URL: apiInternalUrl },
  experimental: {
    // The proxy reads no bodies; pages post JSON to the API, whose own cap is 100 kb.
    proxyClientMaxBodySize: '128kb',
  },
  // Same origin for the browser: no CORS, and the first-party session cookie just works.
  rewrites() {
    return Promise.resolve([{ source: '/api/:path*', destination: `${apiInternalUrl}/api/:path*` }]);
  },
  headers() {
    return Promise.resolve([
      // Not on /api: the API sends its own.
      { source: '/((?!api/).*)', headers: [...STATIC_SECURITY_HEADERS] },
      { source: '/((?!api/).*)', has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https' }], headers: [HSTS_HEADER] },
    ]);
  },
};

export default config;
