/**
 * `npm run bench` — GET /api/me of the Cloakroom API against the seed approach, bare
 * Express and the Next client's gate, on production builds, measured side by side by
 * one load generator in alternating rounds. `npm run bench -- --soak` runs the soak
 * instead. Options: see `usage` below. Results: a table on stdout, JSON in
 * bench/results/ (git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { createClient } from 'redis';
import { createDatabase } from '../server/dist/db/connection';
import { loadGenerator, measureAtRate, type LoadGenerator, type LoadResult } from './lib/load';
import { cpuBusy, machine } from './lib/machine';
import { ROOT, run, sleep, stopChild, type Service } from './lib/procs';
import { median, round2, summarize, table, verdictLines, type Series, type Summary, type Verdict } from './lib/report';
import { deletePrefix, fillSessions, readRecord } from './lib/sessions';
import {
  CLIENT_DIST_DIR,
  clientServerJs,
  createUsers,
  newSecret,
  signIn,
  startApi,
  startBare,
  startClient,
  startReference,
  tempDir,
  type ApiSettings,
  type BenchUsers,
} from './lib/stack';
import { flood, type FloodResult } from './flood';
import { scale } from './scale';
import { soak } from './soak';
import { uploads } from './uploads';
import { spawn } from 'node:child_process';

const usage = `npm run bench [-- options]
  --instances=1,2,4      run only the scale-out scenario: GET /api/me and sign-ins through HAProxy
                         in front of each count of API instances (bench/scale.ts)
  --cluster              with --instances: also on a Redis Cluster started from redis-server
  --threads=N            with --instances: load-generator threads (default 1)
  --sign-in-clients=N    with --instances: concurrent sign-in clients (default 8)
  --soak                 run the soak instead (mixed register/login/me/logout at a steady rate)
  --uploads              run only the held-uploads scenario (client /api/me during 300 held 200 kB uploads)
  --soak-seconds=N       soak length (default 180)
  --soak-rate=N          soak operations per second (default 40)
  --databases            run only GET /api/me on SQLite vs on PostgreSQL (and bare Express), side by side
  --flood                run only the argon2 flood scenario (bench/flood.ts; also part of the full run)
  --flood-seconds=N      flood length (default 20)
  --flood-clients=N      attacking clients per address (default 20)
  --no-build             use the existing builds (server/dist, client/${CLIENT_DIST_DIR})
  --rounds=N             alternating rounds per comparison (default 3)
  --duration=S           seconds per measurement (default 5)
  --connections=N        concurrent connections of the load generator (default 32)
  --big-sessions=N       sessions stored for the "many sessions" row (default 1000000)
  --storm=N              concurrent sign-ins in the login storm (default 16)
  --no-pages             skip the Next client rows
  --quick                1 round of 2 s, 20000 big sessions, 30 s soak (for trying the harness)
env: REDIS_URL (default redis://127.0.0.1:6379), BENCH_BIG_REDIS_DB (default 11: the Redis
     database that holds the big session set), BENCH_LOAD=wrk|autocannon,
     BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres: the PostgreSQL
     server on which the /api/me rows make a database of their own; "none" skips them)`;

export interface Options {
  soak: boolean;
  uploads: boolean;
  soakSeconds: number;
  soakRate: number;
  flood: boolean;
  databases: boolean;
  floodSeconds: number;
  floodClients: number;
  build: boolean;
  rounds: number;
  durationS: number;
  connections: number;
  bigSessions: number;
  storm: number;
  pages: boolean;
  /** API instance counts of the scale-out scenario, or null. */
  instances: number[] | null;
  cluster: boolean;
  threads: number;
  signInClients: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    soak: false,
    uploads: false,
    soakSeconds: 180,
    soakRate: 40,
    flood: false,
    databases: false,
    floodSeconds: 20,
    floodClients: 20,
    build: true,
    rounds: 3,
    durationS: 5,
    connections: 32,
    bigSessions: 1_000_000,
    storm: 16,
    pages: true,
    instances: null,
    cluster: false,
    threads: 1,
    signInClients: 8,
  };
  // `--instances 1,2,4` as well as `--instances=1,2,4`.
  const args = argv.flatMap((a, i) => (a === '--instances' ? [] : argv[i - 1] === '--instances' ? [`--instances=${a}`] : [a]));
  for (const arg of args) {
    const [flag, value] = arg.split('=') as [string, string | undefined];
    const num = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
      return n;
    };
    if (flag === '--soak') o.soak = true;
    else if (flag === '--uploads') o.uploads = true;
    else if (flag === '--soak-seconds') o.soakSeconds = num();
    else if (flag === '--soak-rate') o.soakRate = num();
    else if (flag === '--flood') o.flood = true;
    else if (flag === '--databases') o.databases = true;
    else if (flag === '--flood-seconds') o.floodSeconds = num();
    else if (flag === '--flood-clients') o.floodClients = num();
    else if (flag === '--no-build') o.build = false;
    else if (flag === '--rounds') o.rounds = num();
    else if (flag === '--duration') o.durationS = num();
    else if (flag === '--connections') o.connections = num();
    else if (flag === '--big-sessions') o.bigSessions = num();
    else if (flag === '--storm') o.storm = num();
    else if (flag === '--no-pages') o.pages = false;
    else if (flag === '--instances') {
      o.instances = (value ?? '').split(',').map(Number);
      if (!o.instances.length || o.instances.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--instances needs counts such as 1,2,4');
    } else if (flag === '--cluster') o.cluster = true;
    else if (flag === '--threads') o.threads = num();
    else if (flag === '--sign-in-clients') o.signInClients = num();
    else if (flag === '--quick') Object.assign(o, { rounds: 1, durationS: 2, bigSessions: 20_000, soakSeconds: 30, floodSeconds: 8 });
    else if (flag === '--help' || flag === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${usage}`);
  }
  return o;
}

type Redis = ReturnType<typeof createClient>;

/** The fixed request rate of the storm comparison's latency rows. */
const STORM_RATE = 2000;

/** Keys of every bench run live under `cloakroom-bench:<run>:`. A run keeps its
 *  `alive` key fresh; keys of a run without one (killed before cleaning up) are removed
 *  by the next run. */
const BENCH_ROOT = 'cloakroom-bench:';

async function sweepStaleRuns(redis: Redis): Promise<void> {
  const runs = new Set<string>();
  for await (const keys of redis.scanIterator({ MATCH: `${BENCH_ROOT}*`, COUNT: 5000 })) for (const k of keys) runs.add(k.split(':')[1]!);
  for (const id of runs) {
    if (!(await redis.exists(`${BENCH_ROOT}${id}:alive`))) {
      const n = await deletePrefix(redis, `${BENCH_ROOT}${id}:`);
      console.log(`removed ${n} keys left by an interrupted bench run (${id})`);
    }
  }
}

function redisWithDb(url: string, db: number): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export interface Context {
  options: Options;
  load: LoadGenerator;
  dir: string;
  redisUrl: string;
  redis: Redis;
  runId: string;
  prefix: string;
  services: Service[];
  cleanups: Array<() => Promise<unknown>>;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis: Redis = createClient({ url: redisUrl });
  redis.on('error', () => undefined);
  await redis.connect();
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? null;

  const load = loadGenerator();
  const m = await machine(redisVersion);
  console.log(`machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, Redis ${m.redis}, ${m.platform}`);
  console.log(
    `load before: loadavg ${m.loadAverage.join(' ')}, CPU busy ${m.busyBefore === null ? '?' : Math.round(m.busyBefore * 100)}% over 2 s${m.busiest.length ? `; busiest: ${m.busiest.join(' | ')}` : ''}`,
  );
  console.log(
    `load generator: ${load.name} (${load.version})${load.name === 'autocannon' ? ' — wrk not found: install it (apt-get install wrk) for figures comparable to docs/performance.md' : ''}`,
  );

  if (options.build) {
    console.log('\nbuilding the API and the client (production builds)…');
    await run('npm', ['run', 'build:api', '--silent']);
    // The client reads the API's address when it starts: one build serves every API here.
    if ((options.pages || options.uploads) && !options.soak && !options.flood && !options.instances)
      await run('npm', ['run', 'build', '-w', 'client', '--silent'], { CLIENT_DIST_DIR });
  }
  if (!fs.existsSync(path.join(ROOT, 'server/dist/main.js'))) throw new Error('server/dist is missing: run `npm run build:api` or drop --no-build');

  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const ctx: Context = { options, load, dir: tempDir(), redisUrl, redis, runId, prefix: `${BENCH_ROOT}${runId}:`, services: [], cleanups: [] };
  await sweepStaleRuns(redis);
  await redis.set(`${BENCH_ROOT}${runId}:alive`, '1', { PX: 60_000 });
  const heartbeat = setInterval(() => void redis.set(`${BENCH_ROOT}${runId}:alive`, '1', { PX: 60_000 }).catch(() => undefined), 20_000);

  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    console.error('\ninterrupted: cleaning up…');
    void teardown(ctx).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = new Date();
  let results: Record<string, unknown>;
  try {
    results = options.instances
      ? await scale(ctx)
      : options.soak
        ? await soak(ctx)
        : options.flood
          ? { flood: await floodRun(ctx) }
          : options.uploads
            ? await uploadsOnly(ctx)
            : options.databases
              ? await databasesOnly(ctx)
              : await fullRun(ctx);
  } finally {
    clearInterval(heartbeat);
    if (!interrupted) await teardown(ctx);
  }
  const after = { loadAverage: (await import('node:os')).loadavg().map(round2), busyAfter: await cpuBusy() };
  const out = {
    kind: options.instances
      ? 'scale'
      : options.soak
        ? 'soak'
        : options.flood
          ? 'flood'
          : options.uploads
            ? 'uploads'
            : options.databases
              ? 'databases'
              : 'bench',
    startedAt: started.toISOString(),
    machine: m,
    after,
    loadGenerator: { name: load.name, version: load.version },
    options,
    ...results,
  };
  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${out.kind}-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2));
  fs.writeFileSync(path.join(dir, `latest-${out.kind}.json`), JSON.stringify(out, null, 2));
  console.log(`\nload after: loadavg ${after.loadAverage.join(' ')}\nresults: ${path.relative(ROOT, file)}`);
  await redis.close();
}

async function teardown(ctx: Context): Promise<void> {
  await Promise.allSettled(ctx.services.map((s) => s.stop()));
  for (const cleanup of ctx.cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup:', (err as Error).message));
  if (ctx.redis.isOpen) await deletePrefix(ctx.redis, ctx.prefix).catch(() => undefined);
  fs.rmSync(ctx.dir, { recursive: true, force: true });
}

interface Target {
  key: string;
  label: string;
  url: string;
  headers: Record<string, string>;
}

/** One request, outside the measurement: does the target still answer 200? */
async function answers200(t: Target): Promise<boolean> {
  try {
    const res = await fetch(t.url, { headers: t.headers, redirect: 'manual', signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Measures every target once per round, rotating the order each round so no target
 *  always runs first or last; machine drift spreads over all of them alike. */
async function alternate(ctx: Context, targets: Target[], title: string): Promise<Map<string, Series>> {
  const { durationS, connections, rounds } = ctx.options;
  const series = new Map(targets.map((t) => [t.key, { key: t.key, label: t.label, rounds: [] as LoadResult[], failedChecks: 0 }]));
  console.log(`\n${title}: warming up…`);
  for (const t of targets) await ctx.load.measure({ url: t.url, headers: t.headers, connections, durationS: 2 });
  for (let r = 0; r < rounds; r++) {
    const order = targets.map((_, i) => targets[(i + r) % targets.length]!);
    for (const t of order) {
      const result = await ctx.load.measure({ url: t.url, headers: t.headers, connections, durationS });
      const s = series.get(t.key)!;
      s.rounds.push(result);
      if (!(await answers200(t))) s.failedChecks++;
      console.log(`  round ${r + 1}/${rounds} ${t.label.padEnd(44)} ${Math.round(result.rps).toString().padStart(6)} req/s  p99 ${result.p99.toFixed(2)} ms`);
    }
  }
  return series;
}

async function fullRun(ctx: Context): Promise<Record<string, unknown>> {
  const o = ctx.options;
  const logDir = ctx.dir;
  const secret = newSecret();
  const databaseFile = path.join(ctx.dir, 'users.db');
  const main: ApiSettings = { redisUrl: ctx.redisUrl, prefix: ctx.prefix, databaseFile, secret, logDir };

  console.log('\nstarting servers…');
  const api = await startApi('api', main);
  ctx.services.push(api);
  const users = await createUsers(`sqlite:${databaseFile}`, 64);
  const apiCookie = await signIn(api.url, users.bench.email, users.password);

  // 1 thousand sessions stored for the main API (its own plus filler in the real format).
  const template = await readRecord(ctx.redis, ctx.prefix, sessionIdOf(apiCookie));
  await fillSessions(ctx.redis, { prefix: ctx.prefix, template, count: 999, owner: (i) => `filler-${i % 100}`, ttlMs: 3_600_000 });

  // The same API on a Redis database that holds a million sessions.
  const bigDb = Number(process.env.BENCH_BIG_REDIS_DB ?? 11);
  const bigUrl = redisWithDb(ctx.redisUrl, bigDb);
  const bigRedis: Redis = createClient({ url: bigUrl });
  bigRedis.on('error', () => undefined);
  await bigRedis.connect();
  ctx.cleanups.push(async () => {
    const t = Date.now();
    const n = await deletePrefix(bigRedis, ctx.prefix);
    console.log(`removed ${n} keys from Redis database ${bigDb} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    await bigRedis.close();
  });
  await sweepStaleRuns(bigRedis);
  const apiBig = await startApi('api-big', { ...main, redisUrl: bigUrl });
  ctx.services.push(apiBig);
  const bigCookie = await signIn(apiBig.url, users.bench.email, users.password);
  const fillStarted = Date.now();
  let lastPrint = 0;
  await fillSessions(bigRedis, {
    prefix: ctx.prefix,
    template,
    count: o.bigSessions - 1,
    owner: (i) => `filler-${i % 10_000}`,
    ttlMs: 3_600_000,
    onProgress: (n) => {
      if (Date.now() - lastPrint > 2000) {
        lastPrint = Date.now();
        process.stdout.write(
          `${process.stdout.isTTY ? '\r' : ''}  filling Redis database ${bigDb}: ${n.toLocaleString('en')} sessions${process.stdout.isTTY ? '' : '\n'}`,
        );
      }
    },
  });
  const fillSeconds = (Date.now() - fillStarted) / 1000;
  const bigKeys = await bigRedis.dbSize();
  console.log(
    `\r  filled ${o.bigSessions.toLocaleString('en')} sessions in ${fillSeconds.toFixed(1)} s (Redis database ${bigDb} holds ${bigKeys.toLocaleString('en')} keys)`,
  );

  const reference = await startReference(main);
  ctx.services.push(reference);
  const refCookie = await signIn(reference.url, users.bench.email, users.password);

  const meBody = await (await fetch(`${api.url}/api/me`, { headers: { cookie: apiCookie } })).text();
  const bare = await startBare(meBody, logDir);
  ctx.services.push(bare);

  const targets: Target[] = [
    { key: 'api', label: 'API GET /api/me (1 thousand sessions)', url: `${api.url}/api/me`, headers: { cookie: apiCookie } },
    { key: 'reference', label: 'seed reference GET /api/me', url: `${reference.url}/api/me`, headers: { cookie: refCookie } },
    { key: 'bare', label: 'bare Express 5 route, same JSON', url: `${bare.url}/api/me`, headers: {} },
    { key: 'apiBig', label: `API GET /api/me (${shortCount(o.bigSessions)} sessions)`, url: `${apiBig.url}/api/me`, headers: { cookie: bigCookie } },
  ];
  // The PostgreSQL rows are left out (and said so) when no PostgreSQL answers.
  const pg = await startPostgresApi(ctx, main, users.bench.email, users.password).catch((err: unknown) => {
    console.log(`  PostgreSQL rows skipped: ${(err as Error).message.split('\n')[0]}`);
    return null;
  });
  if (pg) targets.push(pg);
  let pagesNote: string | null = null;
  if (o.pages) {
    if (!fs.existsSync(clientServerJs())) pagesNote = `client build missing (${path.relative(ROOT, clientServerJs())}); run without --no-build`;
    else {
      try {
        const gated = await startClient('client-gated', api.url, secret, 'on', logDir);
        ctx.services.push(gated);
        const ungated = await startClient('client-ungated', api.url, secret, 'off', logDir);
        ctx.services.push(ungated);
        targets.push(
          { key: 'pageGated', label: 'Next page /dashboard, gated (proxy → /api/me)', url: `${gated.url}/dashboard`, headers: { cookie: apiCookie } },
          { key: 'pageUngated', label: 'Next page /dashboard, gate off', url: `${ungated.url}/dashboard`, headers: { cookie: apiCookie } },
        );
        if (pg) {
          const gatedPg = await startClient('client-gated-pg', pg.url.replace(/\/api\/me$/, ''), secret, 'on', logDir);
          ctx.services.push(gatedPg);
          targets.push({ key: 'pageGatedPg', label: 'Next page /dashboard, gated, API on PostgreSQL', url: `${gatedPg.url}/dashboard`, headers: pg.headers });
        }
      } catch (err) {
        pagesNote = `client did not start: ${(err as Error).message.split('\n')[0]}`;
      }
    }
  }
  if (pagesNote) console.log(`  pages skipped: ${pagesNote}`);
  for (const t of targets) if (!(await answers200(t))) throw new Error(`${t.label} does not answer 200 at ${t.url}`);

  const main1 = await alternate(ctx, targets, 'throughput');
  const storm = await stormRounds(ctx, targets[0]!, api, users);
  const listRevoke = await listAndRevoke(ctx, api, users, template);
  const floodResult = await floodRun(ctx);
  const held = o.pages && !pagesNote ? await uploads(ctx) : null;

  // ---- report
  const s = (key: string): Summary | undefined => (main1.get(key) ? summarize(main1.get(key)!) : undefined);
  const rows = [...main1.values()].map((x) => ({ label: x.label, s: summarize(x) }));
  const stormAlone = summarize(storm.alone);
  const stormLoaded = summarize(storm.loaded);
  const rateAlone = summarize(storm.aloneRate);
  const rateLoaded = summarize(storm.loadedRate);
  rows.push(
    { label: storm.alone.label, s: stormAlone },
    { label: storm.loaded.label, s: stormLoaded },
    { label: storm.aloneRate.label, s: rateAlone },
    { label: storm.loadedRate.label, s: rateLoaded },
  );
  const verdicts: Verdict[] = [];
  const judge = (name: string, a: Series | undefined, b: Series | undefined, metric: 'rps' | 'p99', target: string, met: (r: number) => boolean) => {
    if (a && b) verdicts.push(pairedVerdict(name, a, b, metric, target, met));
  };
  const series = (key: string) => main1.get(key);
  const apiS = s('api')!;
  judge('API / seed reference, req/s', series('api'), series('reference'), 'rps', '≥ 2.0', (r) => r >= 2);
  judge('API / bare Express, req/s', series('api'), series('bare'), 'rps', '≥ 0.8', (r) => r >= 0.8);
  judge('API on PostgreSQL / on SQLite, req/s', series('apiPg'), series('api'), 'rps', '≥ 0.9', (r) => r >= 0.9);
  judge('gated page on PostgreSQL / on SQLite, req/s', series('pageGatedPg'), series('pageGated'), 'rps', '≥ 0.9', (r) => r >= 0.9);
  judge('API p99 / seed reference p99', series('api'), series('reference'), 'p99', '≤ 1.0', (r) => r <= 1);
  judge('gated page / ungated page, req/s', series('pageGated'), series('pageUngated'), 'rps', '≥ 0.85', (r) => r >= 0.85);
  judge('/api/me p99 during login storm / alone, saturated', storm.loaded, storm.alone, 'p99', '≤ 2.0', (r) => r <= 2);
  judge(`/api/me p99 during login storm / alone, at ${STORM_RATE} req/s`, storm.loadedRate, storm.aloneRate, 'p99', '≤ 2.0', (r) => r <= 2);
  const big = s('apiBig')!;
  const info = [
    `API with ${shortCount(o.bigSessions)} vs 1 thousand sessions stored: ${ratio(big.rps, apiS.rps)}× req/s, p99 ${big.p99} vs ${apiS.p99} ms`,
    `login storm: ${storm.loginsPerSecond.toFixed(1)} sign-ins/s at argon2id m=19456 KiB t=2 p=1 (${JSON.stringify(storm.statuses)})`,
    floodLine(floodResult),
    `user with 10 thousand sessions: list ${listRevoke.listMs} ms (${listRevoke.listed} sessions, ${listRevoke.listKiB} KiB), revoke all but current ${listRevoke.revokeMs} ms (${listRevoke.revoked} revoked), medians of ${listRevoke.reps}`,
  ];

  if (held) {
    rows.push(...held.series.map((x) => ({ label: x.label, s: summarize(x) })));
    info.push(...held.lines);
  }
  console.log(`\n${table(rows)}\n\n${verdictLines(verdicts)}\n\n${info.join('\n')}`);
  if (pagesNote) console.log(`pages: ${pagesNote}`);
  return {
    summaries: Object.fromEntries(
      [...main1.values(), storm.alone, storm.loaded, storm.aloneRate, storm.loadedRate].map((x) => [
        x.key,
        { label: x.label, ...summarize(x), rounds: x.rounds },
      ]),
    ),
    verdicts,
    storm: { loginsPerSecond: storm.loginsPerSecond, statuses: storm.statuses },
    listRevoke,
    flood: floodResult,
    uploads: held ? { ...held, series: undefined } : null,
    bigSessions: { count: o.bigSessions, fillSeconds, redisDb: bigDb, keys: bigKeys },
    pagesNote,
    table: table(rows),
  };
}

const ratio = (a: number, b: number) => round2(a / b);

/** A ratio judged on the rounds: each round measured both sides within seconds of each
 *  other, so the median of the per-round ratios is what drift between rounds cannot
 *  move. The ratio of the table's medians is shown next to it. */
function pairedVerdict(name: string, a: Series, b: Series, metric: 'rps' | 'p99', target: string, met: (r: number) => boolean): Verdict {
  const perRound = a.rounds.map((x, i) => x[metric] / b.rounds[i]![metric]);
  const paired = round2(median(perRound));
  const sa = summarize(a)[metric];
  const sb = summarize(b)[metric];
  const unit = metric === 'rps' ? 'req/s' : 'ms';
  return {
    name,
    value: paired,
    target,
    met: met(paired),
    detail: `${paired}× (median of per-round ratios ${perRound.map((r) => r.toFixed(2)).join(', ')}; medians ${Math.round(sa * 100) / 100} vs ${Math.round(sb * 100) / 100} ${unit}: ${ratio(sa, sb)}×)`,
  };
}

const floodRun = (ctx: Context) => flood(ctx, { seconds: ctx.options.floodSeconds, aloneSeconds: 5, perAddress: ctx.options.floodClients });

function floodLine({ during, alone }: FloodResult): string {
  return `argon2 flood (3 addresses signing in with right passwords): legitimate sign-ins ${during.successRate}% succeeded ${JSON.stringify(during.statuses)}, p99 ${during.p99} ms (alone ${alone.p99} ms)`;
}

/** The PostgreSQL server the /api/me-on-PostgreSQL rows use, or null (BENCH_DATABASE_URL=none). */
function benchPostgresUrl(): string | null {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  return url === 'none' ? null : url;
}

/** A database of this run's own on the bench's PostgreSQL server, dropped at teardown. */
async function postgresDatabase(ctx: Context, serverUrl: string): Promise<string> {
  const name = `cloakroom_bench_${ctx.runId}`;
  const admin = await createDatabase(serverUrl);
  try {
    await sql`create database ${sql.id(name)}`.execute(admin);
  } finally {
    await admin.destroy();
  }
  ctx.cleanups.push(async () => {
    const again = await createDatabase(serverUrl);
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(again);
    await again.destroy();
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The API on PostgreSQL beside the one on SQLite (same Redis, its own prefix), signed
 *  in as the same bench user: the rows that show what the database costs per request. */
async function startPostgresApi(ctx: Context, main: ApiSettings, email: string, password: string): Promise<Target | null> {
  const serverUrl = benchPostgresUrl();
  if (!serverUrl) return null;
  const databaseUrl = await postgresDatabase(ctx, serverUrl);
  const api = await startApi('api-pg', { ...main, prefix: `${ctx.prefix}pg:`, databaseUrl });
  ctx.services.push(api);
  // The same accounts (fixed emails, one password) as on SQLite.
  await createUsers(databaseUrl, 0, password);
  const cookie = await signIn(api.url, email, password);
  return { key: 'apiPg', label: 'API GET /api/me on PostgreSQL', url: `${api.url}/api/me`, headers: { cookie } };
}

/** `--databases`: GET /api/me of the same API on SQLite and on PostgreSQL, and bare
 *  Express, alternating: what a request costs on each database. */
async function databasesOnly(ctx: Context): Promise<Record<string, unknown>> {
  const secret = newSecret();
  const databaseFile = path.join(ctx.dir, 'users.db');
  const main: ApiSettings = { redisUrl: ctx.redisUrl, prefix: ctx.prefix, databaseFile, secret, logDir: ctx.dir };
  console.log('\nstarting servers…');
  const api = await startApi('api', main);
  ctx.services.push(api);
  const users = await createUsers(`sqlite:${databaseFile}`, 0);
  const cookie = await signIn(api.url, users.bench.email, users.password);
  const pg = await startPostgresApi(ctx, main, users.bench.email, users.password);
  if (!pg) throw new Error('--databases needs PostgreSQL (BENCH_DATABASE_URL)');
  const bare = await startBare(await (await fetch(`${api.url}/api/me`, { headers: { cookie } })).text(), ctx.dir);
  ctx.services.push(bare);
  const targets: Target[] = [
    { key: 'api', label: 'API GET /api/me on SQLite', url: `${api.url}/api/me`, headers: { cookie } },
    pg,
    { key: 'bare', label: 'bare Express 5 route, same JSON', url: `${bare.url}/api/me`, headers: {} },
  ];
  for (const t of targets) if (!(await answers200(t))) throw new Error(`${t.label} does not answer 200 at ${t.url}`);
  const measured = await alternate(ctx, targets, 'GET /api/me by database');
  const rows = [...measured.values()].map((x) => ({ label: x.label, s: summarize(x) }));
  const verdicts = [
    pairedVerdict('API on PostgreSQL / on SQLite, req/s', measured.get('apiPg')!, measured.get('api')!, 'rps', '≥ 0.9', (r) => r >= 0.9),
    pairedVerdict('API on SQLite / bare Express, req/s', measured.get('api')!, measured.get('bare')!, 'rps', '≥ 0.8', (r) => r >= 0.8),
    pairedVerdict('API on PostgreSQL / bare Express, req/s', measured.get('apiPg')!, measured.get('bare')!, 'rps', '≥ 0.8', (r) => r >= 0.8),
  ];
  console.log(`\n${table(rows)}\n\n${verdictLines(verdicts)}`);
  return {
    summaries: Object.fromEntries([...measured.values()].map((x) => [x.key, { label: x.label, ...summarize(x), rounds: x.rounds }])),
    verdicts,
    table: table(rows),
  };
}

async function uploadsOnly(ctx: Context): Promise<Record<string, unknown>> {
  const result = await uploads(ctx);
  const rows = result.series.map((x) => ({ label: x.label, s: summarize(x) }));
  console.log(`\n${table(rows)}\n\n${result.lines.join('\n')}`);
  return { uploads: { ...result, series: undefined }, table: table(rows) };
}

function shortCount(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6} million` : n >= 1000 && n % 1000 === 0 ? `${n / 1000} thousand` : String(n);
}

/** The session ID inside `sid=s:<id>.<mac>` (the bench owns the secret). */
function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(2, value.lastIndexOf('.'));
}

/** /api/me alone and /api/me while a storm of sign-ins hashes at production cost,
 *  alternating round by round; each both at saturation (the load generator's maximum)
 *  and at a fixed rate well below it (latency as users of a busy service see it). */
async function stormRounds(ctx: Context, me: Target, api: Service, users: BenchUsers) {
  const o = ctx.options;
  const usersFile = path.join(ctx.dir, 'storm-users.json');
  fs.writeFileSync(usersFile, JSON.stringify({ emails: users.storm, password: users.password }));
  const series = (key: string, label: string): Series => ({ key, label, rounds: [], failedChecks: 0 });
  const alone = series('meAlone', 'API GET /api/me alone (saturated)');
  const loaded = series('meStorm', `API GET /api/me during ${o.storm} concurrent sign-ins (saturated)`);
  const aloneRate = series('meAloneRate', `API GET /api/me alone at ${STORM_RATE} req/s`);
  const loadedRate = series('meStormRate', `API GET /api/me during the storm at ${STORM_RATE} req/s`);
  const statuses: Record<string, number> = {};
  let logins = 0;
  let seconds = 0;
  const measureBoth = async (saturated: Series, rated: Series) => {
    saturated.rounds.push(await ctx.load.measure({ url: me.url, headers: me.headers, connections: o.connections, durationS: o.durationS }));
    rated.rounds.push(await measureAtRate({ url: me.url, headers: me.headers, durationS: o.durationS, rate: STORM_RATE }));
    if (!(await answers200(me))) saturated.failedChecks++;
  };
  console.log('\nlogin storm: /api/me alone vs during a storm of sign-ins');
  for (let r = 0; r < o.rounds; r++) {
    await measureBoth(alone, aloneRate);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/storm.ts'), api.url, usersFile, String(o.storm)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await sleep(1500); // the hashing queue fills before measuring
    await measureBoth(loaded, loadedRate);
    await stopChild(child, 60_000);
    const line = out.split('\n').find((l) => l.startsWith('STORM '));
    if (line) {
      const st = JSON.parse(line.slice(6)) as { seconds: number; statuses: Record<string, number> };
      for (const [k, v] of Object.entries(st.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
      logins += st.statuses['200'] ?? 0;
      seconds += st.seconds;
    }
    const p = (s: Series) => `${Math.round(s.rounds.at(-1)!.rps)} req/s p99 ${s.rounds.at(-1)!.p99.toFixed(2)} ms`;
    console.log(`  round ${r + 1}/${o.rounds} alone ${p(alone)}, at rate ${p(aloneRate)} | storm ${p(loaded)}, at rate ${p(loadedRate)}`);
  }
  return { alone, loaded, aloneRate, loadedRate, statuses, loginsPerSecond: seconds ? logins / seconds : 0 };
}

/** A user with 10 thousand sessions: GET /api/auth/sessions, then DELETE
 *  /api/auth/sessions (every session but the current one), timed from the client. */
async function listAndRevoke(ctx: Context, api: Service, users: BenchUsers, template: Record<string, unknown>) {
  const reps = Math.max(3, ctx.options.rounds);
  const cookie = await signIn(api.url, users.many.email, users.password);
  const listMs: number[] = [];
  const revokeMs: number[] = [];
  let listed = 0;
  let listBytes = 0;
  let revoked = 0;
  console.log('\nuser with 10 thousand sessions: list and revoke');
  for (let r = 0; r < reps; r++) {
    await fillSessions(ctx.redis, { prefix: ctx.prefix, template, count: 9_999, owner: () => users.many.id, ttlMs: 3_600_000 });
    let t = performance.now();
    const list = await fetch(`${api.url}/api/auth/sessions`, { headers: { cookie } });
    const text = await list.text();
    listMs.push(performance.now() - t);
    if (list.status !== 200) throw new Error(`GET /api/auth/sessions answered ${list.status}: ${text.slice(0, 200)}`);
    listed = (JSON.parse(text) as { sessions: unknown[] }).sessions.length;
    listBytes = text.length;
    t = performance.now();
    const del = await fetch(`${api.url}/api/auth/sessions`, { method: 'DELETE', headers: { cookie } });
    const delText = await del.text();
    revokeMs.push(performance.now() - t);
    if (del.status !== 200) throw new Error(`DELETE /api/auth/sessions answered ${del.status}: ${delText.slice(0, 200)}`);
    revoked = (JSON.parse(delText) as { revoked: number }).revoked;
    console.log(`  ${r + 1}/${reps}: list ${listMs.at(-1)!.toFixed(1)} ms (${listed}), revoke ${revokeMs.at(-1)!.toFixed(1)} ms (${revoked})`);
  }
  const med = (xs: number[]) => round2([...xs].sort((a, b) => a - b)[xs.length >> 1]!);
  return {
    reps,
    listMs: med(listMs),
    revokeMs: med(revokeMs),
    listed,
    listKiB: Math.round(listBytes / 1024),
    revoked,
    allListMs: listMs.map(round2),
    allRevokeMs: revokeMs.map(round2),
  };
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
