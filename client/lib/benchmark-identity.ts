import type { MeResult } from './me-client';

/** With PROXY_GATE=off (benchmarks only, see config.ts) the proxy does not ask the API
 *  and vouches for this fixed, unprivileged user instead, so a gated page renders the
 *  same work minus the /api/me round trip. The API still checks every cookie itself:
 *  no real account's data is reachable through this user. */
export function benchmarkMe(now: number = Date.now()): MeResult {
  const hour = new Date(now + 3_600_000).toISOString();
  return {
    kind: 'signed_in',
    me: {
      user: {
        id: '00000000-0000-4000-8000-000000000000',
        email: 'benchmark@cloakroom.invalid',
        name: 'Benchmark',
        role: 'user',
        createdAt: new Date(0).toISOString(),
        emailVerified: true,
      },
      session: { id: 'benchmark', createdAt: new Date(now).toISOString(), expiresAt: hour, idleExpiresAt: hour },
    },
  };
}
