// The client's start-up check (lib/startup.ts: configuration, one line per problem) as
// one CommonJS file, server/dist/startup.cjs, that server/preload.cjs can run before Next
// starts listening: Next prints "Ready" as soon as it listens, before its own
// instrumentation hook runs, so a check there came after the banner. Run by the client's
// `dev` and `build` scripts.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = resolve(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(app, 'lib/startup.ts')],
  outfile: join(app, 'server/dist/startup.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The contract's sources (ES modules, side-effect free): only the names used are kept.
  alias: { '@cloakroom/shared': join(app, '../shared/src/index.ts') },
  logLevel: 'warning',
});
