/** A start-up that cannot work stops with one line naming the real cause and what to do
 *  (the real process, built), not a generic "not answering": a Redis database
 *  number out of range, an unknown host, a database that does not exist, a user
 *  PostgreSQL refuses or that may not create tables, an SQLite path that cannot be
 *  written, a port already taken. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { testDatabases } from '@cloakroom/server/testing';
import { scratchDatabase } from './helpers/databases';
import { built, childEnv, finished, ROOT, spawnBuilt, type Finished } from './helpers/processes';

jest.setTimeout(60_000);

const MAIN = 'main';
const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BASE = { SESSION_SECRET: randomBytes(32).toString('base64url'), DATABASE_URL: 'sqlite::memory:', REDIS_URL, PORT: '0' };

const start = (env: Record<string, string>) => finished(spawnBuilt(MAIN, [], { ...BASE, ...env }));

/** Exit 69 (a service is unusable) with one line on stderr and no stack. */
function causeLine(run: Finished): string {
  expect(run.stderr + run.stdout).not.toMatch(/\n\s+at /);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(run.code).toBe(69);
  return lines[0]!;
}

let scratch: string;
beforeAll(() => (scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-startup-'))));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('Redis', () => {
  test('a database number the server does not have: says so at once, not "timed out"', async () => {
    const url = new URL(REDIS_URL);
    url.pathname = '/99';
    const line = causeLine(await start({ REDIS_URL: url.toString() }));
    expect(line).toContain('refused the connection: ERR DB index is out of range');
    expect(line).toContain('REDIS_URL selects database 99');
    expect(line).toContain('0 to 15');
    expect(line).not.toMatch(/timed out|docker compose/);
  });

  test('a host that does not exist: names the host, not "start it"', async () => {
    const line = causeLine(await start({ REDIS_URL: 'redis://no-such-host.invalid:6379' }));
    expect(line).toMatch(/the host no-such-host\.invalid is not known .*ENOTFOUND/);
    expect(line).not.toMatch(/Start it/);
  });

  test('something that is not Redis on the port (a web server): says so', async () => {
    const server = http.createServer((_req, res) => res.end('not redis'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const line = causeLine(await start({ REDIS_URL: `redis://127.0.0.1:${port}` }));
      expect(line).toMatch(/did not answer as Redis \(.+\): something else listens there, or a TLS port/);
    } finally {
      server.close();
    }
  });
});

describe('SQLite', () => {
  test('a path below a file: names the file', async () => {
    const file = path.join(scratch, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const line = causeLine(await start({ DATABASE_URL: `sqlite:${file}/deeper/users.db` }));
    expect(line).toContain(`${file} is a file, so the folder ${file}/deeper cannot be created`);
  });

  test('a folder where the file should be', async () => {
    const line = causeLine(await start({ DATABASE_URL: `sqlite:${scratch}` }));
    expect(line).toContain(`${scratch} is a folder, not a database file`);
  });

  test('a file that is not an SQLite database (left as it was)', async () => {
    const file = path.join(scratch, 'notes.txt');
    fs.writeFileSync(file, 'not a database\n'.repeat(100));
    const line = causeLine(await start({ DATABASE_URL: `sqlite:${file}` }));
    expect(line).toContain(`${file} is not a SQLite database`);
    expect(fs.readFileSync(file, 'utf8')).toBe('not a database\n'.repeat(100));
  });

  test('a folder this user may not write in (run as nobody when the suite runs as root)', async () => {
    const folder = path.join(scratch, 'read-only');
    fs.mkdirSync(folder, { mode: 0o555 });
    fs.chmodSync(scratch, 0o755);
    // root may write anywhere, so under root the API runs as an ordinary user.
    const asRoot = process.getuid?.() === 0;
    const child = spawn(process.execPath, [built(MAIN)], {
      cwd: ROOT,
      env: childEnv({ ...BASE, HOME: scratch, DATABASE_URL: `sqlite:${folder}/users.db` }),
      stdio: 'pipe',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    const line = causeLine(await finished(child));
    expect(line).toContain(`this user may not write in the folder ${folder}`);
  });
});

// With TEST_DATABASE_URL (as `.ci/run` sets it): causes only a real PostgreSQL can give.
const postgres = testDatabases().find((d) => d.name === 'postgres');
if (postgres)
  describe('PostgreSQL', () => {
    const { databaseUrl } = postgres;
    const at = (change: (url: URL) => void) => {
      const url = new URL(databaseUrl);
      change(url);
      return url.toString();
    };

    test('a database that does not exist: says how to create it', async () => {
      const name = `cloakroom_missing_${randomBytes(4).toString('hex')}`;
      const line = causeLine(await start({ DATABASE_URL: at((u) => (u.pathname = `/${name}`)) }));
      expect(line).toContain(`database "${name}" does not exist`);
      expect(line).toContain(`createdb -h ${new URL(databaseUrl).hostname}`);
      expect(line).not.toMatch(/Start PostgreSQL/);
    });

    test('a user the server refuses: says to check the user and password, and hides the password', async () => {
      const role = `cloakroom_nobody_${randomBytes(4).toString('hex')}`;
      const line = causeLine(
        await start({
          DATABASE_URL: at((u) => {
            u.username = role;
            u.password = 'db-password';
          }),
        }),
      );
      expect(line).toContain(`role "${role}" does not exist`);
      expect(line).toContain('Check the user name and password in DATABASE_URL');
      expect(line).not.toContain('db-password');
    });

    test('a user that may not create tables: names the permission, and how to grant it', async () => {
      const db = await scratchDatabase('postgres', databaseUrl);
      const role = `cloakroom_reader_${randomBytes(4).toString('hex')}`;
      const admin = async (url: string, sql: string) => {
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      };
      try {
        await admin(databaseUrl, `create role ${role} login`);
        // PostgreSQL 15 and later do this by default; older ones need it said.
        await admin(db.url, 'revoke create on schema public from public');
        const asRole = at((u) => {
          u.username = role;
          u.pathname = new URL(db.url).pathname;
        });
        const line = causeLine(await start({ DATABASE_URL: asRole }));
        expect(line).toContain('permission denied for schema public');
        expect(line).toContain(`OWNER TO ${role}`);
      } finally {
        await db.drop();
        await admin(databaseUrl, `drop role if exists ${role}`);
      }
    });

    test('an unknown host: names it, and that compose names are not known outside compose', async () => {
      const line = causeLine(await start({ DATABASE_URL: at((u) => (u.hostname = 'no-such-host.invalid')) }));
      expect(line).toContain('the host no-such-host.invalid is not known');
      expect(line).toContain('`postgres` is a name only inside docker compose; from this machine use 127.0.0.1');
    });
  });

describe('listening', () => {
  test('a port already taken: says another process uses it and to set PORT', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const line = causeLine(await start({ PORT: String(port) }));
      expect(line).toBe(
        `cloakroom: cannot listen on port ${port}: another process is using it (an API started earlier, \`npm run dev\` or \`docker compose up\`? \`ss -ltnp\` shows which). Stop it, or set PORT to a free port.`,
      );
    } finally {
      server.close();
    }
  });
});
