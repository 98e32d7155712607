import net from 'node:net';
import { sleep } from '../../testing/helpers';

/** One line of Redis's MONITOR output: who sent the command (`lua` for commands a script
 *  ran) and the command with its arguments. */
export interface MonitoredCommand {
  client: string;
  args: string[];
}

/** Parses `1700000000.123456 [0 127.0.0.1:5555] "EVALSHA" "abc" "1" "key"`. */
function parseLine(line: string): MonitoredCommand | null {
  const m = /^\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
  if (!m) return null;
  const args = [...m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => a[1]!.replace(/\\(.)/g, '$1'));
  return { client: m[1]!, args };
}

/** Watches what Redis executes (MONITOR on a connection of its own), so a test can count
 *  the commands one request costs. `from(addr)` keeps the commands one client sent,
 *  `byScripts()` the commands scripts ran. */
export async function monitorRedis(port: number, host = '127.0.0.1') {
  const seen: MonitoredCommand[] = [];
  const socket = net.connect(port, host);
  let buffer = '';
  let ready: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
      if (line === '+OK') ready();
      else if (line.startsWith('+')) {
        const parsed = parseLine(line.slice(1));
        if (parsed) seen.push(parsed);
      }
    }
  });
  socket.write('MONITOR\r\n');
  await started;

  return {
    /** Everything seen since the last `reset()`. */
    commands: () => [...seen],
    reset: () => void seen.splice(0),
    from: (client: string) => seen.filter((c) => c.client === client),
    byScripts: () => seen.filter((c) => c.client === 'lua'),
    /** Waits until Redis has echoed a marker sent after the work, so every command of the
     *  work is in `commands()`. */
    async settle(marker: () => Promise<unknown>, name: string): Promise<void> {
      await marker();
      const deadline = Date.now() + 5000;
      while (!seen.some((c) => c.args.includes(name))) {
        if (Date.now() > deadline) throw new Error('MONITOR did not show the marker');
        await sleep(5);
      }
    },
    close: () => socket.destroy(),
  };
}
