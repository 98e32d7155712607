/**
 * The attackers of the flood scenario (bench/flood.ts), as a process of their own so
 * their load does not share an event loop with the measurement: for each address,
 * `perAddress` clients sign in over and over with the right password to accounts that
 * address registered itself, until SIGTERM; then one JSON line with the answers.
 *
 * argv: apiUrl attackersFile(JSON [{address, emails, password}]) perAddress
 */
import fs from 'node:fs';
import { signInAttempt } from './lib/sign-in-attempt';

interface Attacker {
  address: string;
  emails: string[];
  password: string;
}

const [apiUrl, file, perAddressArg] = process.argv.slice(2) as [string, string, string];
const attackers = JSON.parse(fs.readFileSync(file, 'utf8')) as Attacker[];
const statuses: Record<string, number> = {};
let stopping = false;
const started = Date.now();

async function client(attacker: Attacker, offset: number): Promise<void> {
  let i = offset;
  while (!stopping) {
    const email = attacker.emails[i++ % attacker.emails.length]!;
    const key = await signInAttempt(apiUrl, email, attacker.password, attacker.address);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
}

const clients = attackers.flatMap((a) => Array.from({ length: Number(perAddressArg) }, (_, i) => client(a, i)));
process.on('SIGTERM', () => {
  stopping = true;
  void Promise.all(clients).then(() => {
    process.stdout.write(`FLOOD ${JSON.stringify({ seconds: (Date.now() - started) / 1000, statuses })}\n`);
    process.exit(0);
  });
});
