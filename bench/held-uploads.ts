/**
 * Held uploads, run as their own process next to the measurement: `count` connections
 * each announce a `bytes`-long JSON body on POST /api/auth/login, send all of it but
 * the last KiB, and wait. No Origin header: a script's upload passes the API's CSRF
 * check (browsers' cannot), so the API really reads it. Whenever a connection gets an answer or is closed, it opens
 * again a second later, so `count` uploads stay held for as long as the server lets
 * them. On SIGTERM it prints one line `UPLOADS {json}`: attempts, answers by status,
 * connections closed without an answer, and how long answers took (ms).
 *
 * argv: clientUrl count bytes
 */
import net from 'node:net';

const [url, countArg, bytesArg] = process.argv.slice(2) as [string, string, string];
const target = new URL(url);
const count = Number(countArg);
const bytes = Number(bytesArg);
const held = Math.max(0, bytes - 1024);
const head = ['POST /api/auth/login HTTP/1.1', `Host: ${target.host}`, 'Content-Type: application/json', `Content-Length: ${bytes}`, '', ''].join('\r\n');
const body = Buffer.alloc(held, ' ');
body[0] = 0x7b; // '{': a body that starts like JSON

const statuses: Record<string, number> = {};
const answerMs: number[] = [];
let attempts = 0;
let closedUnanswered = 0;
let open = 0;
let stopping = false;
const sockets = new Set<net.Socket>();

function slot(): void {
  if (stopping) return;
  attempts++;
  const started = performance.now();
  let answered = false;
  let connected = false;
  const socket = net.connect({ host: target.hostname, port: Number(target.port) });
  sockets.add(socket);
  socket.on('connect', () => {
    connected = true;
    open++;
    socket.write(head);
    socket.write(body);
  });
  socket.on('data', (chunk: Buffer) => {
    if (answered) return;
    answered = true;
    answerMs.push(performance.now() - started);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 'garbled';
    statuses[status] = (statuses[status] ?? 0) + 1;
    socket.destroy();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    sockets.delete(socket);
    if (connected) open--;
    if (!answered) closedUnanswered++;
    if (!stopping) setTimeout(slot, 1000);
  });
}

for (let i = 0; i < count; i++) slot();
const timer = setInterval(() => process.stdout.write(`HELD ${open}\n`), 1000);

process.on('SIGTERM', () => {
  stopping = true;
  clearInterval(timer);
  for (const s of sockets) s.destroy();
  const sorted = [...answerMs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null;
  process.stdout.write(
    `UPLOADS ${JSON.stringify({ attempts, statuses, closedUnanswered, answered: sorted.length, answerMsP50: at(0.5), answerMsP99: at(0.99), answerMsMax: sorted.at(-1) ?? null })}\n`,
  );
  process.exit(0);
});
