import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { deadPort } from '../../helpers/processes';
import { sleep } from '../../../testing/helpers';

/** A redis-server of the test's own, on a free port, that the test may kill, pause or
 *  restart (the shared Redis on 6379 is never touched). */
export interface RedisServer {
  port: number;
  url: string;
  /** Signals the server and waits for it to exit (SIGKILL: a crash, nothing flushed). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data folder; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: the process keeps its connections but answers nothing. */
  pause(): void;
  resume(): void;
  /** Asks it to block for `seconds` (DEBUG SLEEP), like a long-running command. */
  sleep(seconds: number): Promise<void>;
  /** Stops it and removes its data folder. */
  stop(): Promise<void>;
}

const MISSING =
  'redis-server was not found on PATH: the fault tests start Redis servers of their own, so they need the binary, not only a running Redis. ' +
  'Install it (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`) or put its folder on PATH.';

/** `persistent`: append-only file, fsync on every write, so a crash loses nothing. */
export async function startRedisServer(options: { persistent?: boolean } = {}): Promise<RedisServer> {
  const port = await deadPort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persistent ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--enable-debug-command',
    'local',
    '--logfile',
    path.join(dir, 'redis.log'),
  ];
  let child: ChildProcess | undefined;

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const spawned = spawn('redis-server', args, { stdio: 'ignore' });
      child = spawned;
      let spawnError: NodeJS.ErrnoException | undefined;
      spawned.on('error', (err) => (spawnError = err));
      const deadline = Date.now() + 10_000;
      while (!(await answersPing(port))) {
        if (spawnError?.code === 'ENOENT') throw new Error(MISSING);
        if (spawnError) throw new Error(`redis-server could not be started: ${spawnError.message}`);
        if (spawned.exitCode !== null) throw new Error(`redis-server exited with ${spawned.exitCode}: ${readLog(dir)}`);
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer: ${readLog(dir)}`);
        await sleep(20);
      }
    },
    async kill(signal = 'SIGKILL') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      if (c.signalCode === null) process.kill(c.pid!, 'SIGCONT'); // a paused process cannot handle SIGTERM
      c.kill(signal);
      await exited;
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async sleep(seconds) {
      await command(port, `DEBUG SLEEP ${seconds}`);
    },
    async stop() {
      await server.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

function readLog(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, 'redis.log'), 'utf8').split('\n').slice(-5).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Sends one inline command on a fresh connection (fire and forget: DEBUG SLEEP's
 *  answer comes only after the sleep). */
function command(port: number, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`${line}\r\n`, () => {
        resolve();
        setTimeout(() => socket.destroy(), 10_000).unref();
      });
    });
    socket.on('error', reject);
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
