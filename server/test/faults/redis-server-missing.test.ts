/** The fault tests' own redis-server (helpers/redis-server.ts) on a machine without the
 *  redis-server binary: the error says what is missing and how to install it, and the
 *  helper leaves no temporary folder behind. The helper runs in a process of its own,
 *  with a PATH that has node alone and a temporary folder this test looks into. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finished, ROOT } from '../helpers/processes';

test('without redis-server on PATH: names the binary and how to install it, and cleans up', async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cloakroom-no-redis-'));
  const bin = path.join(scratch, 'bin');
  const tmp = path.join(scratch, 'tmp');
  fs.mkdirSync(bin);
  fs.mkdirSync(tmp);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const script = `
    const { startRedisServer } = require('./server/test/faults/helpers/redis-server.ts');
    startRedisServer().then(
      (server) => server.stop().then(() => console.log('started')),
      (err) => { console.error(err.message); process.exitCode = 1; },
    );`;
  try {
    const run = await finished(
      spawn(path.join(bin, 'node'), ['--import', 'tsx', '-e', script], {
        cwd: ROOT,
        env: { PATH: bin, HOME: scratch, TMPDIR: tmp },
        stdio: 'pipe',
      }),
    );
    expect(run.stderr.trim()).toBe(
      'redis-server was not found on PATH: the fault tests start Redis servers of their own, so they need the binary, not only a running Redis. ' +
        'Install it (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`) or put its folder on PATH.',
    );
    expect(run.code).toBe(1);
    // tsx keeps a compile cache under TMPDIR; the helper's own folders are cloakroom-redis-*.
    expect(fs.readdirSync(tmp).filter((name) => name.startsWith('cloakroom-redis-'))).toEqual([]);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
