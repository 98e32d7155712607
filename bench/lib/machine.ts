import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { sleep } from './procs';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  redis: string | null;
  loadAverage: number[];
  /** Share of all CPU time that was busy over a short sample before the run (0..1):
   *  other work on the machine that the figures had to share the cores with. */
  busyBefore: number | null;
  busiest: string[];
}

/** CPU busy share over `ms` from /proc/stat (Linux), else null. */
export async function cpuBusy(ms = 2000): Promise<number | null> {
  const read = () => {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = line[3]! + (line[4] ?? 0);
    return { idle, total: line.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await sleep(ms);
    const b = read();
    return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
  } catch {
    return null;
  }
}

/** The processes using the most CPU right now (ps), for the record of how quiet it was. */
function busiest(): string[] {
  try {
    return execFileSync('ps', ['-eo', 'pcpu,comm,args', '--sort=-pcpu', '--no-headers'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => Number(l.trim().split(/\s+/)[0]) >= 5)
      .slice(0, 5)
      .map((l) => l.trim().slice(0, 120));
  } catch {
    return [];
  }
}

export async function machine(redisVersion: string | null): Promise<Machine> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    redis: redisVersion,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    busyBefore: await cpuBusy(),
    busiest: busiest(),
  };
}
