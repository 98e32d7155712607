/** Builds the API and the client once for the whole run (next build is slow on two
 *  cores). The client reads the API's address when it starts, so one build serves every
 *  stack of the run, whatever ports they get. */
import { execFileSync } from 'node:child_process';
import { CLIENT_DIR, E2E_DIST_DIR, ROOT } from './stack';

export default function globalSetup(): void {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = Date.now();
  process.stdout.write('\ne2e: building the API and the client (once for this run)…\n');
  execFileSync(npm, ['run', 'build:api', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(npm, ['run', 'build'], { cwd: CLIENT_DIR, stdio: 'inherit', env: { ...process.env, CLIENT_DIST_DIR: E2E_DIST_DIR } });
  process.stdout.write(`e2e: built in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
