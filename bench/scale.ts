/**
 * `npm run bench -- --instances=1,2,4`: GET /api/me and sign-ins through a real HAProxy
 * (round robin, no stickiness) in front of 1, 2, 4… API processes (production build,
 * production password hashing) on one Redis, and with `--cluster` also on a Redis Cluster
 * started here (3 masters, 3 replicas). The API farm and the Cluster are the ones the
 * scale and topology tests start (server/test/scale/helpers, server/test/topologies/helpers).
 * Reports req/s, p50/p99 and the ratio to the first instance count of the list.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startFarm, type Farm } from '../server/test/scale/helpers/instances';
import { startCluster } from '../server/test/topologies/helpers/redis-topologies';
import { ARGON2_OWASP } from '../server/dist/config/env';
import type { LoadResult } from './lib/load';
import { round2, table, type Summary } from './lib/report';
import { signInAttempt } from './lib/sign-in-attempt';
import { createUsers, signIn } from './lib/stack';
import type { Context } from './run';

/** Limits that would otherwise refuse a load generator's one address and few accounts:
 *  the bench measures the work of a request, not the limiter. */
const UNLIMITED = {
  LOGIN_IP_LIMIT: '10000000',
  LOGIN_ACCOUNT_LIMIT: '10000000',
  LOCKOUT_THRESHOLD: '10000000',
  HASH_QUEUE_PER_ACCOUNT: '100000',
  HASH_QUEUE_PER_IP: '100000',
  SESSION_MAX_PER_USER: '100000',
};

/** The farm's processes as production runs them (argon2id at the OWASP cost). */
const PRODUCTION = {
  NODE_ENV: 'production',
  MAIL_TRANSPORT: 'log',
  LOG_LEVEL: 'warn',
  PASSWORD_HASH_MEMORY_KIB: String(ARGON2_OWASP.memoryKiB),
  PASSWORD_HASH_TIME_COST: String(ARGON2_OWASP.timeCost),
};

interface Row {
  topology: string;
  instances: number;
  me: LoadResult;
  signIns: LoadResult;
}

/** `clients` concurrent sign-in loops (right password, accounts in turn, a different
 *  client address each time) for `seconds`: sign-ins/s and latency percentiles. */
async function signInLoad(base: string, emails: string[], password: string, clients: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let next = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const status = await signInAttempt(base, emails[next++ % emails.length]!, password, `10.9.${next % 250}.${1 + (next % 249)}`);
        latencies.push(performance.now() - t);
        if (!/^\d+$/.test(status)) errors++;
        else if (status !== '200') non2xx++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => round2(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), max: at(1), requests: latencies.length, errors, non2xx };
}

async function measureFarm(ctx: Context, topology: string, count: number, redis: Record<string, string>): Promise<Row> {
  const o = ctx.options;
  const dir = fs.mkdtempSync(path.join(ctx.dir, `farm-${count}-`));
  const databaseUrl = `sqlite:${path.join(dir, 'users.db')}`;
  console.log(`\n${topology}, ${count} instance${count > 1 ? 's' : ''}: starting…`);
  const farm: Farm = await startFarm({ count, databaseUrl, redis, env: { ...PRODUCTION, ...UNLIMITED } });
  try {
    const users = await createUsers(databaseUrl, o.signInClients);
    const cookie = await signIn(farm.base, users.bench.email, users.password);
    const url = `${farm.base}/api/me`;
    await ctx.load.measure({ url, headers: { cookie }, connections: o.connections, durationS: 1, threads: o.threads });
    const me = await ctx.load.measure({ url, headers: { cookie }, connections: o.connections, durationS: o.durationS, threads: o.threads });
    const signIns = await signInLoad(farm.base, users.storm, users.password, o.signInClients, o.durationS);
    console.log(`  /api/me ${Math.round(me.rps)} req/s p99 ${me.p99.toFixed(2)} ms | sign-ins ${signIns.rps.toFixed(1)}/s p99 ${signIns.p99.toFixed(0)} ms`);
    return { topology, instances: count, me, signIns };
  } finally {
    await farm.stop();
  }
}

const summary = (r: LoadResult): Summary => ({ ...r, rps: round2(r.rps), p50: round2(r.p50), p99: round2(r.p99), failedChecks: 0 });

export async function scale(ctx: Context): Promise<Record<string, unknown>> {
  const o = ctx.options;
  const counts = o.instances!;
  const rows: Row[] = [];
  for (const n of counts) rows.push(await measureFarm(ctx, 'one Redis', n, { REDIS_URL: ctx.redisUrl }));
  if (o.cluster) {
    const cluster = await startCluster();
    try {
      for (const n of counts) rows.push(await measureFarm(ctx, 'Redis Cluster', n, cluster.env));
    } finally {
      await cluster.stop();
    }
  }
  const first = (r: Row) => rows.find((x) => x.topology === r.topology)!;
  const lines = rows.map(
    (r) =>
      `${r.topology}, ${r.instances} instance(s): /api/me ${round2(r.me.rps / first(r).me.rps)}× and sign-ins ${round2(r.signIns.rps / first(r).signIns.rps)}× of ${first(r).instances}`,
  );
  const tableRows = rows.flatMap((r) => [
    { label: `${r.topology}, ${r.instances}× API: GET /api/me`, s: summary(r.me) },
    { label: `${r.topology}, ${r.instances}× API: sign-in`, s: summary(r.signIns) },
  ]);
  console.log(`\n${table(tableRows)}\n\n${lines.join('\n')}`);
  return { scale: rows, ratios: lines, table: table(tableRows) };
}
