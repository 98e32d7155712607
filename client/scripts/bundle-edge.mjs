// lib/edge.ts (the start-up check and the /api path in front of Next) as one CommonJS
// file, server/dist/edge.cjs, that server/preload.cjs loads into the client's Node server:
// it runs before Next listens (Next prints "Ready" as soon as it does, before its own
// instrumentation hook) and serves /api without Next's routing. Run by the client's `dev`
// and `build` scripts.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = resolve(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(app, 'lib/edge.ts')],
  outfile: join(app, 'server/dist/edge.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The contract's sources (ES modules, side-effect free): only the names used are kept.
  alias: { '@cloakroom/shared': join(app, '../shared/src/index.ts') },
  logLevel: 'warning',
});
