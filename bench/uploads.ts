/**
 * Held uploads against the client's /api path (issue 8, item 4): GET /api/me through
 * the Next client at a fixed rate, alone and while 300 connections each hold a 200 kB
 * upload to POST /api/auth/login open (bench/held-uploads.ts), alternating round by
 * round. Also one 200 kB upload to the API directly and through the client, timed, and
 * what the /api path through the client costs: /api/me saturated (the load generator's
 * maximum) on the API directly and through the client, alternating.
 * `npm run bench -- --uploads` runs this scenario alone; the full run includes it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Context } from './run';
import { measureAtRate, type LoadResult } from './lib/load';
import { ROOT, sleep, stopChild } from './lib/procs';
import { summarize, type Series, type Summary } from './lib/report';
import { createUsers, newSecret, signIn, startApi, startClient } from './lib/stack';

export const HELD_UPLOADS = 300;
export const UPLOAD_BYTES = 200 * 1024;
/** /api/me requests per second through the client: well below what it serves, so the
 *  figures show what a user waits, not the generator's saturation. */
export const UPLOADS_ME_RATE = 200;

export interface UploadsResult {
  alone: Summary;
  held: Summary;
  direct: Summary;
  proxied: Summary;
  /** What the held uploads got: statuses, connections closed unanswered, answer times. */
  uploads: Record<string, unknown>;
  /** One 200 kB upload answered by the API itself and through the client. */
  single: { api: { status: number; ms: number }; client: { status: number | string; ms: number } };
  lines: string[];
  series: Series[];
}

async function oneUpload(url: string): Promise<{ status: number | string; ms: number }> {
  const t = performance.now();
  try {
    const res = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"email":"x@example.test","password":"${'p'.repeat(UPLOAD_BYTES)}"}`,
      signal: AbortSignal.timeout(60_000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: Math.round(performance.now() - t) };
  } catch (err) {
    return { status: (err as Error).name, ms: Math.round(performance.now() - t) };
  }
}

export async function uploads(ctx: Context): Promise<UploadsResult> {
  const o = ctx.options;
  const secret = newSecret();
  const databaseFile = path.join(ctx.dir, 'uploads.db');
  const api = await startApi('api-uploads', { redisUrl: ctx.redisUrl, prefix: `${ctx.prefix}up:`, databaseFile, secret, logDir: ctx.dir });
  ctx.services.push(api);
  const client = await startClient('client-uploads', api.url, secret, 'on', ctx.dir);
  ctx.services.push(client);
  const users = await createUsers(`sqlite:${databaseFile}`, 0);
  const cookie = await signIn(client.url, users.bench.email, users.password);
  const me = { url: `${client.url}/api/me`, headers: { cookie } };

  const single = { api: (await oneUpload(api.url)) as { status: number; ms: number }, client: await oneUpload(client.url) };

  const series = (key: string, label: string): Series => ({ key, label, rounds: [], failedChecks: 0 });
  const alone = series('uploadsMeAlone', `client /api/me alone at ${UPLOADS_ME_RATE} req/s`);
  const held = series('uploadsMeHeld', `client /api/me during ${HELD_UPLOADS} held ${UPLOAD_BYTES / 1024} kB uploads at ${UPLOADS_ME_RATE} req/s`);
  const direct = series('uploadsApiDirect', 'API /api/me directly (saturated)');
  const proxied = series('uploadsClientProxied', 'client /api/me through the /api path (saturated)');
  const totals: Record<string, unknown>[] = [];
  const measure = (): Promise<LoadResult> => measureAtRate({ ...me, durationS: o.durationS, rate: UPLOADS_ME_RATE });

  console.log(`\nheld uploads: client /api/me alone vs during ${HELD_UPLOADS} held ${UPLOAD_BYTES / 1024} kB uploads`);
  for (let r = 0; r < o.rounds; r++) {
    const pair = r % 2 ? ([proxied, direct] as const) : ([direct, proxied] as const);
    for (const s of pair) {
      const url = s === direct ? `${api.url}/api/me` : me.url;
      s.rounds.push(await ctx.load.measure({ url, headers: me.headers, connections: o.connections, durationS: o.durationS }));
    }
    console.log(
      `  round ${r + 1}/${o.rounds} saturated: API directly ${Math.round(direct.rounds.at(-1)!.rps)} req/s, through the client ${Math.round(proxied.rounds.at(-1)!.rps)} req/s`,
    );
    alone.rounds.push(await measure());
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench/held-uploads.ts'), client.url, String(HELD_UPLOADS), String(UPLOAD_BYTES)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // Let the uploads connect and send before measuring.
    await sleep(2000);
    const heldAtStart = Number(/HELD (\d+)\n(?![\s\S]*HELD)/.exec(out)?.[1] ?? 0);
    held.rounds.push(await measure());
    await stopChild(child, 10_000);
    const line = out.split('\n').find((l) => l.startsWith('UPLOADS '));
    const result = line ? (JSON.parse(line.slice(8)) as Record<string, unknown>) : { error: 'no summary from held-uploads' };
    totals.push({ ...result, heldAtStart });
    const p = (s: Series) =>
      `${Math.round(s.rounds.at(-1)!.rps)} req/s p50 ${s.rounds.at(-1)!.p50.toFixed(1)} ms p99 ${s.rounds.at(-1)!.p99.toFixed(1)} ms errors ${s.rounds.at(-1)!.errors}`;
    console.log(`  round ${r + 1}/${o.rounds} alone ${p(alone)} | held ${p(held)} | uploads ${JSON.stringify(totals.at(-1))}`);
  }
  await api.stop();
  await client.stop();

  const a = summarize(alone);
  const h = summarize(held);
  const d = summarize(direct);
  const c = summarize(proxied);
  const lines = [
    `client /api/me through the /api path, saturated: ${c.rps} req/s p99 ${c.p99} ms vs the API directly ${d.rps} req/s p99 ${d.p99} ms (${(c.rps / d.rps).toFixed(2)}×)`,
    `one ${UPLOAD_BYTES / 1024} kB upload: API directly ${single.api.status} in ${single.api.ms} ms, through the client ${single.client.status} in ${single.client.ms} ms`,
    `client /api/me at ${UPLOADS_ME_RATE} req/s: alone p50 ${a.p50} ms p99 ${a.p99} ms max ${a.max} ms (${a.errors} errors, ${a.non2xx} non-2xx); during ${HELD_UPLOADS} held uploads p50 ${h.p50} ms p99 ${h.p99} ms max ${h.max} ms (${h.errors} errors, ${h.non2xx} non-2xx)`,
    `held uploads per round: ${totals.map((t) => JSON.stringify(t)).join('; ')}`,
  ];
  return { alone: a, held: h, direct: d, proxied: c, uploads: { rounds: totals }, single, lines, series: [direct, proxied, alone, held] };
}
