import type { NextConfig } from 'next';
import { HSTS_HEADER, STATIC_SECURITY_HEADERS } from './lib/static-headers';

const config: NextConfig = {
  output: 'standalone',
  // e2e and bench build into folders of their own so they never replace the build
  // `npm start` runs.
  distDir: process.env.CLIENT_DIST_DIR || '.next',
  poweredByHeader: false,
  reactStrictMode: true,
  experimental: {
    // What the page proxy may buffer of a page request's body (it reads none). /api never
    // reaches Next: lib/api-edge.ts serves it (and caps its bodies) in front of Next.
    proxyClientMaxBodySize: '128kb',
  },
  // No /api rewrite: server/preload.cjs sends /api on to API_INTERNAL_URL, read when the
  // server starts (lib/api-edge.ts), so one build serves any API address.
  headers() {
    return Promise.resolve([
      // Not on /api: the API sends its own.
      { source: '/((?!api/).*)', headers: [...STATIC_SECURITY_HEADERS] },
      { source: '/((?!api/).*)', has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https' }], headers: [HSTS_HEADER] },
    ]);
  },
};

export default config;
