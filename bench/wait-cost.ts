/**
 * The cost of `WAIT 1` after a session write, on a master with one healthy replica:
 * `tsx bench/wait-cost.ts <master port>`. 16 concurrent writers each write a session-sized
 * record with SET PX (what sign-in's script does, minus the index), with and without a
 * WAIT for one replica (100 ms timeout) on a connection of their own, alternating rounds;
 * prints writes/s of each and the ratio. A micro-measurement of Redis, not of the API.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

const port = Number(process.argv[2]);
const seconds = Number(process.argv[3] ?? 3);
const value = randomBytes(300).toString('base64');

async function round(wait: boolean): Promise<number> {
  const clients = await Promise.all(Array.from({ length: 16 }, () => createClient({ url: `redis://127.0.0.1:${port}` }).connect()));
  let writes = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < end) {
        await c.set(`wait-cost:${randomBytes(8).toString('hex')}`, value, { PX: 60_000 });
        if (wait) await c.sendCommand(['WAIT', '1', '100']);
        writes++;
      }
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
  return writes / seconds;
}

async function main(): Promise<void> {
  const results: Record<string, number[]> = { plain: [], wait: [] };
  for (let i = 0; i < 3; i++) {
    results.plain!.push(await round(false));
    results.wait!.push(await round(true));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const plain = median(results.plain!);
  const wait = median(results.wait!);
  console.log(JSON.stringify({ plainWritesPerSec: Math.round(plain), waitWritesPerSec: Math.round(wait), ratio: +(wait / plain).toFixed(2), rounds: results }));
}

void main();
