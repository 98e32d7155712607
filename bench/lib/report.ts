import type { LoadResult } from './load';

export interface Series {
  key: string;
  label: string;
  rounds: LoadResult[];
  /** Rounds whose before/after check did not get the expected status. */
  failedChecks: number;
}

export interface Summary extends LoadResult {
  failedChecks: number;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Median over rounds for rates and latencies (robust to one disturbed round), sums for
 *  counts. */
export function summarize(series: Series): Summary {
  const r = series.rounds;
  return {
    rps: Math.round(median(r.map((x) => x.rps))),
    p50: round2(median(r.map((x) => x.p50))),
    p99: round2(median(r.map((x) => x.p99))),
    max: round2(Math.max(...r.map((x) => x.max))),
    requests: r.reduce((a, x) => a + x.requests, 0),
    errors: r.reduce((a, x) => a + x.errors, 0),
    non2xx: r.reduce((a, x) => a + x.non2xx, 0),
    failedChecks: series.failedChecks,
  };
}

export const round2 = (n: number) => Math.round(n * 100) / 100;

export function table(rows: Array<{ label: string; s: Summary }>): string {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx'];
  const body = rows.map(({ label, s }) => [
    label,
    String(s.rps),
    s.p50.toFixed(2),
    s.p99.toFixed(2),
    String(s.errors),
    String(s.non2xx + (s.failedChecks ? ` (+${s.failedChecks} failed checks)` : '')),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

export interface Verdict {
  name: string;
  value: number;
  target: string;
  met: boolean;
  detail: string;
}

export function verdictLines(verdicts: Verdict[]): string {
  return verdicts.map((v) => `${v.met ? 'MET   ' : 'MISSED'} ${v.name}: ${v.detail} (target ${v.target})`).join('\n');
}
