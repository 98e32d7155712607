/**
 * A storm of sign-ins, run as its own process next to the measurement: `concurrency`
 * clients sign in over and over (right password, many accounts, each request from a
 * different client address through X-Forwarded-For, so no rate limit or lockout stops
 * the hashing) until SIGTERM, then print one JSON line with what happened.
 *
 * argv: apiUrl usersFile(JSON {emails, password}) concurrency
 */
import fs from 'node:fs';
import { signInAttempt } from './lib/sign-in-attempt';

const [apiUrl, usersFile, concurrencyArg] = process.argv.slice(2) as [string, string, string];
const { emails, password } = JSON.parse(fs.readFileSync(usersFile, 'utf8')) as { emails: string[]; password: string };
const statuses: Record<string, number> = {};
let next = 0;
let stopping = false;
const started = Date.now();

const address = () => `10.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}.${1 + ((Math.random() * 250) | 0)}`;

async function client(): Promise<void> {
  while (!stopping) {
    const email = emails[next++ % emails.length]!;
    const key = await signInAttempt(apiUrl, email, password, address());
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
}

const clients = Array.from({ length: Number(concurrencyArg) }, () => client());
process.on('SIGTERM', () => {
  stopping = true;
  void Promise.all(clients).then(() => {
    const seconds = (Date.now() - started) / 1000;
    const ok = statuses['200'] ?? 0;
    process.stdout.write(`STORM ${JSON.stringify({ seconds, statuses, loginsPerSecond: ok / seconds })}\n`);
    process.exit(0);
  });
});
