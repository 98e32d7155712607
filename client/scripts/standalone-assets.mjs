// `output: 'standalone'` leaves out public/ and the build's static files; the standalone
// server serves them from beside itself, so copy them there after `next build`.
import { cpSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = process.env.CLIENT_DIST_DIR || '.next';
const dist = join(app, distDir);
// The standalone tree mirrors the workspace from its root: <dist>/standalone/client/.
const target = join(dist, 'standalone', relative(resolve(app, '..'), app));

if (!existsSync(join(target, 'server.js'))) {
  console.error(`standalone-assets: ${relative(process.cwd(), target)}/server.js is missing; run next build first`);
  process.exit(1);
}
cpSync(join(dist, 'static'), join(target, distDir, 'static'), { recursive: true });
if (existsSync(join(app, 'public'))) cpSync(join(app, 'public'), join(target, 'public'), { recursive: true });
console.log(`standalone-assets: static files copied into ${relative(process.cwd(), target)}`);
