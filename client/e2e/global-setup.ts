/** Builds the API and the client once for the whole run (next build is slow on two
 *  cores), the client with the run's API URL compiled into its /api rewrite. */
import { execFileSync } from 'node:child_process';
import { API_PORT_ENV, CLIENT_DIR, E2E_DIST_DIR, ROOT, freePort } from './stack';

export default async function globalSetup(): Promise<void> {
  const apiPort = await freePort();
  process.env[API_PORT_ENV] = String(apiPort);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = Date.now();
  process.stdout.write('\ne2e: building the API and the client (once for this run)…\n');
  execFileSync(npm, ['run', 'build:api', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(npm, ['run', 'build'], {
    cwd: CLIENT_DIR,
    stdio: 'inherit',
    env: { ...process.env, CLIENT_DIST_DIR: E2E_DIST_DIR, API_INTERNAL_URL: `http://127.0.0.1:${apiPort}`, NEXT_TELEMETRY_DISABLED: '1' },
  });
  process.stdout.write(`e2e: built in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
