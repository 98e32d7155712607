/**
 * Jest's global set-up for the integration and fault tiers: compiles shared/ and server/
 * (`tsc -b`, incremental: well under a second when nothing changed). The tests that start
 * the API or its command-line tools run the compiled JavaScript, as production does, and
 * those processes load `@cloakroom/shared` from shared/dist.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function build(): void {
  const root = path.resolve(__dirname, '../../..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'shared', 'server'], { cwd: root, stdio: 'inherit' });
}
